/** Galax 0.22: the engine and the rule helpers the wire protocol and the strategies share. */
export { defaultConfig, parseConfig } from './config.ts';
export {
  apply,
  describeStep,
  determinize,
  galaxEngine,
  observe,
  result,
  setup,
  shipsPerPlayer,
  toAct,
  validate,
  visibleEvents,
} from './engine.ts';
export { generatePlanets } from './map.ts';
export {
  attackSurvivors,
  checkMove,
  fight,
  formatYear,
  isSurprise,
  shipsToConquer,
  TENTHS,
  travelTenths,
  travelTime,
  validateMove,
  volleyKills,
} from './rules.ts';
export type * from './types.ts';
