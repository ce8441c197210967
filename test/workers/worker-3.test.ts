import { work } from './queue.js';

await work();
