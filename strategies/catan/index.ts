export { createHeuristicStrategy, value } from './heuristic.ts';
export { createRandomStrategy } from './random.ts';
