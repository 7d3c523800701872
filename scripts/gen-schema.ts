/** Writes simulations/schema.json from the TypeBox schema (src/tournament/schema.ts). Run: node --import tsx scripts/gen-schema.ts */
import { writeFileSync } from 'node:fs';
import { tournamentSchemaJson } from '../src/tournament/schema.ts';

writeFileSync(new URL('../simulations/schema.json', import.meta.url), tournamentSchemaJson());
