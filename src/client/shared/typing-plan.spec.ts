import { TextAreaTyping, TypingPlanner } from './typing-plan';

/** Applies keystrokes to a string, as a text field would. */
function typeInto(screen: string, step: { backspaces: number; text: string }): string {
  const chars = [...screen];
  return chars.slice(0, chars.length - step.backspaces).join('') + step.text;
}

describe('TypingPlanner', () => {
  it('erases only what changed in the interim and commits finals with spacing', () => {
    const p = new TypingPlanner();
    let screen = '';
    screen = typeInto(screen, p.interim('hello wor'));
    expect(screen).toBe('hello wor');
    const step = p.interim('hello world');
    expect(step).toEqual({ backspaces: 0, text: 'ld' });
    screen = typeInto(screen, step);
    const fix = p.final('Hello world.');
    expect(fix.backspaces).toBe('hello world'.length);
    screen = typeInto(screen, fix);
    screen = typeInto(screen, p.interim('next'));
    expect(screen).toBe('Hello world. next');
    screen = typeInto(screen, p.interim('nope'));
    screen = typeInto(screen, p.final('Next one'));
    expect(screen).toBe('Hello world. Next one');
  });

  it('types finals only when interims are off', () => {
    const p = new TypingPlanner(false);
    expect(p.interim('abc')).toEqual({ backspaces: 0, text: '' });
    expect(p.final('abc')).toEqual({ backspaces: 0, text: 'abc' });
    expect(p.final(', def')).toEqual({ backspaces: 0, text: ', def' });
  });

  it('counts backspaces in characters, not UTF-16 units', () => {
    const p = new TypingPlanner();
    p.interim('ok 👍');
    expect(p.interim('ok')).toEqual({ backspaces: 2, text: '' });
  });
});

describe('TextAreaTyping', () => {
  it('replaces the interim at the end and keeps the person’s edits', () => {
    const t = new TextAreaTyping();
    let v = t.interim('My notes:', 'hello');
    expect(v).toBe('My notes: hello');
    v = t.interim(v, 'hello there');
    expect(v).toBe('My notes: hello there');
    v = t.final(v, 'Hello there.');
    expect(v).toBe('My notes: Hello there.');
    v = t.interim(v + '\nEdited', 'more');
    expect(v).toBe('My notes: Hello there.\nEdited more');
    // The person typed after the interim: the next text goes after their edit.
    v = t.final(v + '!', 'More words');
    expect(v).toBe('My notes: Hello there.\nEdited more! More words');
  });
});
