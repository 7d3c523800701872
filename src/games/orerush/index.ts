/** Ore Rush: the engine and the rule helpers the wire protocol and the strategies share. */
export { CONFIG_FIELDS, defaultConfig, parseConfig } from './config.ts';
export {
  apply,
  commandShapeError,
  defaultAction,
  describeStep,
  determinize,
  distance,
  ENGINE_VERSION,
  formatCommand,
  formatEvent,
  isOver,
  observe,
  orerushEngine,
  result,
  seatOrder,
  setup,
  stepToward,
  toAct,
  validate,
  visibleEvents,
  visionMask,
} from './engine.ts';
export { generateOre, startRow, veinKind } from './map.ts';
export type * from './types.ts';
export { ORE_KINDS } from './types.ts';
