import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.ts';

// Writes schema.graphql, the committed snapshot that shows every API change in review.
const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, `${printSchema(schema)}\n`);
process.stdout.write(`Wrote ${target.pathname}\n`);
