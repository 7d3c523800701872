/**
 * The load scenarios of the one registry (src/game/registry.ts): each game or service module declares its own,
 * loaded lazily so that a run of one protocol never imports another's client. A module's first is its default.
 */
import { defaultScenarioFor, loadScenario, scenarioIds } from '../game/registry.ts';

export { defaultScenarioFor, loadScenario, scenarioIds };

/** Every scenario, loaded (for `--list`). */
export async function loadAllScenarios() {
  return Promise.all(scenarioIds().map((id) => loadScenario(id)));
}
