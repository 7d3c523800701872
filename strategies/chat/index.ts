export { echoStrategy } from './echo.ts';
export { parseRules, type ResponderRule, responderStrategy } from './responder.ts';
export { type ScriptOptions, scriptStrategy } from './script.ts';
