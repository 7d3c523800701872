export { createGreedyStrategy } from './greedy.ts';
export { createRandomStrategy } from './random.ts';
