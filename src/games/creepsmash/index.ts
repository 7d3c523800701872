/** CreepSmash: the engine, its tables and maps, and the rule helpers the server and strategies share. */
export { CELL_PX, CREEP_KINDS, CREEPS, paidFor, STEPS_PER_CELL, STRATEGIES, TOWER_KINDS, TOWERS } from './data.ts';
export {
  commandError,
  creepsmashEngine,
  creepsmashSettings,
  defaultConfig,
  describeStep,
  ENGINE_VERSION,
  effectiveSpeed,
  formatCommand,
  nextBoard,
  parseConfig,
} from './engine.ts';
export { DEFAULT_MAP, DEFAULT_MAP_TEXT, formatMap, geometryOf, MapError, parseMap, positionAt } from './map.ts';
export type * from './types.ts';
export { TILES } from './types.ts';
