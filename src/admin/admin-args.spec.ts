import {
  allowOnly,
  AdminUsageError,
  flag,
  numberOption,
  parseArgs,
  stringOption,
} from './admin-args';

describe('parseArgs', () => {
  it('splits words and options in both spellings', () => {
    const args = parseArgs([
      'keys',
      'create',
      '--name',
      'My app',
      '--scopes=stream,admin',
      '--json',
    ]);
    expect(args.words).toEqual(['keys', 'create']);
    expect(stringOption(args, 'name')).toBe('My app');
    expect(stringOption(args, 'scopes')).toBe('stream,admin');
    expect(flag(args, 'json')).toBe(true);
    expect(flag(args, 'active')).toBe(false);
  });

  it('validates numbers and rejects unknown options', () => {
    const args = parseArgs(['--older-than-days', '2.5', '--bogus', '--max-sessions', '3']);
    expect(() => numberOption(args, 'older-than-days', { min: 0, integer: true })).toThrow(
      AdminUsageError,
    );
    expect(numberOption(args, 'max-sessions', { min: 1, integer: true })).toBe(3);
    expect(numberOption(args, 'absent', { min: 1 })).toBeUndefined();
    expect(() => stringOption(args, 'bogus')).toThrow('--bogus needs a value');
    expect(() => allowOnly(args, ['older-than-days', 'max-sessions'])).toThrow('--bogus');
  });
});
