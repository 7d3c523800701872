import type { LoadScenario } from './types.ts';

/**
 * Load-test scenarios for `botswarm loadtest`; a protocol adds one line. Loaded lazily so that a run of one
 * protocol never imports another's client. The first scenario listed for a protocol is its default.
 */
const loaders: Record<string, () => Promise<LoadScenario>> = {
  'galax-play': async () => (await import('./scenarios/galax.ts')).galaxPlayScenario as LoadScenario,
  'chat-converse': async () => (await import('./scenarios/chat.ts')).chatConverseScenario as LoadScenario,
  'lekt-churn': async () => (await import('./scenarios/lekt.ts')).lektChurnScenario as LoadScenario,
  'se1-lobby': async () => (await import('./scenarios/se1.ts')).se1LobbyScenario as LoadScenario,
  'se1-carcassonne': async () =>
    (await import('./scenarios/se1-carcassonne.ts')).se1CarcassonneScenario as LoadScenario,
  'orerush-play': async () => (await import('./scenarios/orerush.ts')).orerushPlayScenario as LoadScenario,
};

export const scenarioIds = (): string[] => Object.keys(loaders);

export async function loadScenario(id: string): Promise<LoadScenario> {
  const load = loaders[id];
  if (!load) throw new Error(`unknown load scenario "${id}" (known: ${scenarioIds().join(', ')})`);
  return load();
}

/** Every scenario, loaded (for `--list` and to find a protocol's default). */
export async function loadAllScenarios(): Promise<LoadScenario[]> {
  return Promise.all(scenarioIds().map((id) => loadScenario(id)));
}

/**
 * The first registered scenario of `protocol`, or undefined. Ids named `<protocol>-...` are tried first, so the
 * usual case imports only that protocol's scenarios; a scenario that fails to load does not hide the others.
 */
export async function defaultScenarioFor(protocol: string): Promise<LoadScenario | undefined> {
  const ids = scenarioIds();
  const ordered = [
    ...ids.filter((id) => id.startsWith(`${protocol}-`)),
    ...ids.filter((id) => !id.startsWith(`${protocol}-`)),
  ];
  for (const id of ordered) {
    try {
      const scenario = await loadScenario(id);
      if (scenario.protocol === protocol) return scenario;
    } catch {
      // A broken scenario module is reported when it is asked for by name.
    }
  }
  return undefined;
}
