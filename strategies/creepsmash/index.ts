export { createHeuristicStrategy } from './heuristic.ts';
export { createRandomStrategy } from './random.ts';
export { createSearchStrategy } from './search.ts';
