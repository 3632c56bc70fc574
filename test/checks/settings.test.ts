import { CHECKS, getCheck } from '../../src/checks/catalog';
import { checkEnvVarName, defaultSettings, resolveChecks, type ResolvedCheck } from '../../src/checks/settings';

const byId = (checks: ResolvedCheck[], id: string): ResolvedCheck => {
  const found = checks.find((c) => c.check.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe('checkEnvVarName', () => {
  it('when given a check id and a setting, then it builds KEYWATCH_CHECK_<ID>_<SETTING> in upper case', () => {
    expect(checkEnvVarName('access_key_not_rotated', 'max_age_days')).toBe('KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS');
    expect(checkEnvVarName('root_mfa_disabled', 'enabled')).toBe('KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED');
  });

  it('when every check and setting is named, then no two variables collide', () => {
    const names = CHECKS.flatMap((c) => ['enabled', ...Object.keys(c.settings)].map((s) => checkEnvVarName(c.id, s)));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('resolveChecks', () => {
  it('when the environment is empty, then every check resolves in catalog order with its defaults and no errors', () => {
    const { checks, errors } = resolveChecks({});
    expect(errors).toEqual([]);
    expect(checks.map((c) => c.check.id)).toEqual(CHECKS.map((c) => c.id));
    for (const r of checks) {
      expect(r.settings).toEqual(defaultSettings(r.check));
      expect(r.enabled).toBe(r.check.enabledByDefault);
    }
  });

  it('when the environment is empty, then the documented defaults apply', () => {
    const { checks } = resolveChecks({});
    expect(byId(checks, 'access_key_not_rotated').settings).toEqual({
      max_age_days: 90,
      high_after_days: 365,
      severity: 'medium',
      high_severity: 'high',
    });
    expect(byId(checks, 'access_key_unused').settings).toEqual({ max_unused_days: 45, severity: 'medium' });
    expect(byId(checks, 'access_key_inactive_lingering').settings).toEqual({ max_inactive_days: 30, severity: 'low' });
    expect(byId(checks, 'user_password_unused').settings).toEqual({ max_unused_days: 45, severity: 'medium' });
    expect(byId(checks, 'root_recently_used').settings).toEqual({ window_days: 7, severity: 'high' });
    expect(byId(checks, 'password_policy_weak').settings).toEqual({
      min_length: 14,
      min_reuse_prevention: 24,
      max_age_days: 90,
      severity: 'medium',
    });
    expect(byId(checks, 'canary_key_used')).toMatchObject({ enabled: false, settings: { canary_key_ids: [], severity: 'critical' } });
  });

  it('when the process environment has KEYWATCH_CHECK_ variables, then resolveChecks ignores it (pure)', () => {
    process.env.KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS = '7';
    try {
      expect(byId(resolveChecks({}).checks, 'access_key_not_rotated').settings.max_age_days).toBe(90);
    } finally {
      delete process.env.KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS;
    }
  });

  it('when integer, severity and list settings are overridden, then the values are parsed', () => {
    const { checks, errors } = resolveChecks({
      KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS: '120',
      KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_HIGH_SEVERITY: ' Critical ',
      KEYWATCH_CHECK_ROOT_RECENTLY_USED_WINDOW_DAYS: ' 1 ',
      KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIAONE, AKIATWO ,AKIATHREE',
    });
    expect(errors).toEqual([]);
    expect(byId(checks, 'access_key_not_rotated').settings).toMatchObject({ max_age_days: 120, high_severity: 'critical' });
    expect(byId(checks, 'root_recently_used').settings.window_days).toBe(1);
    expect(byId(checks, 'canary_key_used').settings.canary_key_ids).toEqual(['AKIAONE', 'AKIATWO', 'AKIATHREE']);
  });

  it('when a setting variable is empty or blank, then it counts as unset', () => {
    const { checks, errors } = resolveChecks({
      KEYWATCH_CHECK_ACCESS_KEY_UNUSED_MAX_UNUSED_DAYS: '',
      KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: '  ',
      KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED: '',
    });
    expect(errors).toEqual([]);
    expect(byId(checks, 'access_key_unused').settings.max_unused_days).toBe(45);
    expect(byId(checks, 'canary_key_used').enabled).toBe(false);
    expect(byId(checks, 'root_mfa_disabled').enabled).toBe(true);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['FALSE', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
  ])('when ENABLED is %p, then the check is enabled=%p', (raw, expected) => {
    const { checks, errors } = resolveChecks({ KEYWATCH_CHECK_USER_PASSWORD_AND_KEYS_ENABLED: raw });
    expect(errors).toEqual([]);
    expect(byId(checks, 'user_password_and_keys').enabled).toBe(expected);
  });

  it('when a check is disabled, then the others stay enabled', () => {
    const { checks } = resolveChecks({ KEYWATCH_CHECK_ROOT_RECENTLY_USED_ENABLED: 'false' });
    expect(checks.filter((c) => !c.enabled).map((c) => c.check.id).sort()).toEqual(['canary_key_used', 'root_recently_used']);
  });

  it('when canary ids are configured, then canary_key_used turns on by itself', () => {
    const { checks } = resolveChecks({ KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIACANARY' });
    expect(byId(checks, 'canary_key_used').enabled).toBe(true);
  });

  it('when canary ids are configured but the check is explicitly disabled, then it stays off', () => {
    const { checks } = resolveChecks({
      KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS: 'AKIACANARY',
      KEYWATCH_CHECK_CANARY_KEY_USED_ENABLED: 'false',
    });
    expect(byId(checks, 'canary_key_used').enabled).toBe(false);
  });

  it('when canary_key_used is explicitly enabled without ids, then it is on (and finds nothing)', () => {
    const { checks } = resolveChecks({ KEYWATCH_CHECK_CANARY_KEY_USED_ENABLED: 'true' });
    expect(byId(checks, 'canary_key_used')).toMatchObject({ enabled: true, settings: { canary_key_ids: [] } });
  });

  it.each([
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS', 'abc', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS', '0', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS', '-5', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS', '90.5', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_HIGH_AFTER_DAYS', '1e3', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_HIGH_AFTER_DAYS', '99999999999999999999', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ACCESS_KEY_UNUSED_MAX_UNUSED_DAYS', '45 days', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_ROOT_RECENTLY_USED_WINDOW_DAYS', '0x10', 'a whole number >= 1'],
    ['KEYWATCH_CHECK_PASSWORD_POLICY_WEAK_SEVERITY', 'severe', 'one of info, low, medium, high, critical'],
    ['KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_HIGH_SEVERITY', 'warn', 'one of info, low, medium, high, critical'],
    ['KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED', 'maybe', 'true, false, 1, 0, yes or no'],
    ['KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED', 'on', 'true, false, 1, 0, yes or no'],
    ['KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS', 'AKIAONE,,AKIATWO', 'a comma-separated list of non-empty values'],
    ['KEYWATCH_CHECK_CANARY_KEY_USED_CANARY_KEY_IDS', 'AKIAONE,', 'a comma-separated list of non-empty values'],
  ])('when %s=%p, then exactly one error names the variable and expects %s', (name, raw, expected) => {
    const { errors } = resolveChecks({ [name]: raw });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(name);
    expect(errors[0]).toContain(JSON.stringify(raw));
    expect(errors[0]).toContain(`expected ${expected}`);
  });

  it('when a value is bad, then the setting keeps its default', () => {
    const { checks } = resolveChecks({ KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS: 'abc' });
    expect(byId(checks, 'access_key_not_rotated').settings.max_age_days).toBe(90);
  });

  it('when ENABLED is bad, then the check keeps its default on/off state', () => {
    const { checks } = resolveChecks({ KEYWATCH_CHECK_ROOT_MFA_DISABLED_ENABLED: 'maybe' });
    expect(byId(checks, 'root_mfa_disabled').enabled).toBe(true);
  });

  it('when several variables are bad, then there is one error per variable', () => {
    const { errors } = resolveChecks({
      KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS: 'x',
      KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_SEVERITY: 'y',
      KEYWATCH_CHECK_TYPO_ENABLED: 'true',
    });
    expect(errors).toHaveLength(3);
  });

  it('when a variable misspells a setting of a known check, then the error names it and lists valid variables', () => {
    const { errors } = resolveChecks({ KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE: '120' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE is not a setting of check access_key_not_rotated');
    expect(errors[0]).toContain('KEYWATCH_CHECK_ACCESS_KEY_NOT_ROTATED_MAX_AGE_DAYS');
  });

  it('when a variable misspells the check id, then the error names it and lists the check ids', () => {
    const { errors } = resolveChecks({ KEYWATCH_CHECK_ACCES_KEY_NOT_ROTATED_MAX_AGE_DAYS: '120' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('KEYWATCH_CHECK_ACCES_KEY_NOT_ROTATED_MAX_AGE_DAYS does not name a known check');
    expect(errors[0]).toContain('access_key_not_rotated');
  });

  it('when a check id shares a prefix with another, then the unknown-variable error picks the right check', () => {
    const { errors } = resolveChecks({ KEYWATCH_CHECK_USER_PASSWORD_UNUSED_MAX_DAYS: '10' });
    expect(errors[0]).toContain('is not a setting of check user_password_unused');
  });

  it('when unrelated variables are present, then they are ignored', () => {
    expect(resolveChecks({ KEYWATCH_PORT: '8080', PATH: '/usr/bin', KEYWATCH_CHECKS: 'x' }).errors).toEqual([]);
  });

  it('when an env entry is undefined, then it is ignored', () => {
    expect(resolveChecks({ KEYWATCH_CHECK_NOPE: undefined }).errors).toEqual([]);
  });

  it('when settings are resolved, then each check gets its own copy of list defaults', () => {
    const a = byId(resolveChecks({}).checks, 'canary_key_used').settings.canary_key_ids as string[];
    a.push('AKIAMUTATED');
    expect(getCheck('canary_key_used')!.settings.canary_key_ids.default).toEqual([]);
  });
});
