/**
 * The ruleset a result was computed under: the configuration's version, and a fingerprint of its
 * content (FNV-1a over its JSON), so a replay notices a changed number even if nobody bumped the version.
 */
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { seedFromText } from './random.ts';

const fingerprints = new WeakMap<BallisticsRules, string>();

export function rulesetFingerprint(rules: BallisticsRules = ballisticsConfig): string {
  let fingerprint = fingerprints.get(rules);
  if (fingerprint === undefined) {
    fingerprint = seedFromText(JSON.stringify(rules)).toString(16).padStart(8, '0');
    fingerprints.set(rules, fingerprint);
  }
  return fingerprint;
}

export interface RulesetId {
  version: string;
  fingerprint: string;
}

export function rulesetId(rules: BallisticsRules = ballisticsConfig): RulesetId {
  return { version: rules.version, fingerprint: rulesetFingerprint(rules) };
}

/** How a stored ruleset compares with the current one: what a replay reports. */
export function rulesetChange(stored: RulesetId, rules: BallisticsRules = ballisticsConfig): 'same' | 'changed' {
  const current = rulesetId(rules);
  return stored.version === current.version && stored.fingerprint === current.fingerprint ? 'same' : 'changed';
}
