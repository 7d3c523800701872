export { createHeuristicStrategy, radarSites } from './heuristic.ts';
export { createRandomStrategy } from './random.ts';
