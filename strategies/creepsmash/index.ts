export { createHeuristicStrategy } from './heuristic.ts';
export { createRandomStrategy } from './random.ts';
