/**
 * Java `java.util.regex.Pattern` syntax run on JavaScript's RegExp, and Java's replacement strings
 * (`Matcher.replaceFirst`): for settings Kafka documents as Java regexes (RegexRouter).
 *
 * Translated so they match as in Java: `.` (no line terminator, incl. U+0085), `$` (end, or before
 * a final line terminator), `\s` (ASCII whitespace only), `\h \H \v \V \R`, `\A \z \Z`, `\Q...\E`,
 * `\e \a \cX \0ooo \x{h..h}`, POSIX classes `\p{Lower}` ... `\p{Space}` (and `\P{..}` outside a
 * class), back references (Java reads `\12` as group 12 only if twelve groups are open), a `]`
 * first in a class as a literal, and leading flags `(?i)`, `(?s)`, `(?m)`, `(?u)`.
 *
 * Refused with a JavaPatternError naming the construct (no JavaScript equivalent, or it would match
 * differently): possessive quantifiers (`a*+`), atomic groups `(?>..)`, inline flags other than
 * leading `i s m u` and scoped flags `(?i:..)`, class union / intersection (`[a[b]]`, `[a&&b]`),
 * negated shorthands inside a class (`[\S]`, `[\H]`, `[\V]`, `[\P{..}]`), `\G \X \N \b{g}`, Unicode
 * properties other than the POSIX names, back references to groups not yet opened, and escapes
 * Java itself rejects (`\y`, `{` that is no quantifier).
 */

export class JavaPatternError extends Error {}

export interface JavaPattern {
  /** Finds the first match (Java's `find()`). */
  readonly find: RegExp;
  /** Matches only the whole input (Java's `matches()`). */
  readonly whole: RegExp;
  readonly groupCount: number;
  readonly groupNames: ReadonlySet<string>;
}

const LINE_TERMINATOR = '\\n\\r\\u0085\\u2028\\u2029';
const SPACE = ' \\t\\n\\x0B\\f\\r';
const HSPACE = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000';
const VSPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F', Space: SPACE,
};
/** Class contents of the shorthand escapes Java defines differently from JavaScript. */
const SETS: Readonly<Record<string, string>> = { s: SPACE, h: HSPACE, v: VSPACE };
const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;

const hex4 = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

function codePointText(cp: number, inClass: boolean, at: number): string {
  if (cp <= 0xffff) return hex4(cp);
  if (inClass || cp > 0x10ffff) throw new JavaPatternError(`code point \\x{${cp.toString(16)}} near index ${at} is not supported inside a class`);
  const s = String.fromCodePoint(cp);
  return `(?:${hex4(s.charCodeAt(0))}${hex4(s.charCodeAt(1))})`;
}

class Translator {
  out = '';
  i = 0;
  inClass = false;
  groupsOpen = 0;

  constructor(private readonly p: string, private readonly dotAll: boolean, private readonly multiline: boolean) {}

  run(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (c === '\\') this.escape();
      else if (this.inClass) this.classChar(c);
      else this.plainChar(c);
    }
    if (this.inClass) throw new JavaPatternError(`Unclosed character class near index ${p.length - 1}`);
    return this.out;
  }

  private refuse(what: string): never {
    throw new JavaPatternError(`${what} near index ${this.i} is not supported`);
  }

  private classChar(c: string): void {
    const p = this.p;
    if (c === '[') this.refuse('character class union or nesting [..[..]]');
    if (c === '&' && p[this.i + 1] === '&') this.refuse('character class intersection &&');
    if (c === ']') this.inClass = false;
    this.out += c;
    this.i++;
  }

  private plainChar(c: string): void {
    const p = this.p;
    const at = this.i;
    this.i++;
    switch (c) {
      case '[':
        this.inClass = true;
        this.out += '[';
        if (p[this.i] === '^') {
          this.out += '^';
          this.i++;
        }
        // Java reads a `]` first in a class as a literal; JavaScript would close an empty class.
        if (p[this.i] === ']') {
          this.out += '\\]';
          this.i++;
        }
        return;
      case '(':
        if (p[this.i] !== '?') this.groupsOpen++;
        else if (p.startsWith('<', this.i + 1) && !p.startsWith('<=', this.i + 1) && !p.startsWith('<!', this.i + 1)) this.groupsOpen++;
        else if (p[this.i + 1] === '>') this.refuse('atomic group (?>');
        else if (!/^[:=!<]/.test(p[this.i + 1] ?? '')) this.refuse('inline flag group (?...)');
        this.out += c;
        return;
      case '{': {
        const q = QUANTIFIER.exec(p.slice(at));
        if (!q) throw new JavaPatternError(`Illegal repetition near index ${at}`);
        this.out += q[0];
        this.i = at + q[0].length;
        this.possessive();
        return;
      }
      case '*': case '+': case '?':
        this.out += c;
        this.possessive();
        return;
      case '.':
        this.out += this.dotAll ? '[\\s\\S]' : `[^${LINE_TERMINATOR}]`;
        return;
      case '$':
        this.out += this.multiline ? '$' : `(?=(?:\\r\\n|[${LINE_TERMINATOR}])?(?![\\s\\S]))`;
        return;
      default:
        this.out += c;
    }
  }

  private possessive(): void {
    if (this.p[this.i] === '?') {
      this.out += '?';
      this.i++;
    } else if (this.p[this.i] === '+') {
      this.refuse('possessive quantifier');
    }
  }

  /** One escape sequence starting at the backslash. */
  private escape(): void {
    const p = this.p;
    const at = this.i;
    const c = p[at + 1];
    const inClass = this.inClass;
    this.i = at + 2;
    if (c === undefined) throw new JavaPatternError(`Unexpected internal error near index ${p.length}`);
    const set = SETS[c] ?? SETS[c.toLowerCase()];
    if (set !== undefined && 'sShHvV'.includes(c)) {
      const negated = c === c.toUpperCase();
      if (inClass && negated) this.refuse(`\\${c} inside a character class`);
      this.out += inClass ? set : `[${negated ? '^' : ''}${set}]`;
      return;
    }
    if (c >= '1' && c <= '9') {
      if (inClass) this.refuse(`back reference \\${c} inside a character class`);
      let ref = Number(c);
      if (ref > this.groupsOpen) this.refuse(`back reference \\${c} to a group not yet opened`);
      while (p[this.i] !== undefined && p[this.i]! >= '0' && p[this.i]! <= '9' && ref * 10 + Number(p[this.i]) <= this.groupsOpen) ref = ref * 10 + Number(p[this.i++]);
      this.out += `(?:\\${ref})`;
      return;
    }
    switch (c) {
      case 'Q': {
        const end = p.indexOf('\\E', this.i);
        const text = p.slice(this.i, end < 0 ? p.length : end);
        this.out += text.replace(/[^A-Za-z0-9\s]/g, '\\$&');
        this.i = end < 0 ? p.length : end + 2;
        return;
      }
      case '0': {
        if (!isOctal(p[this.i])) throw new JavaPatternError(`Illegal octal escape sequence near index ${this.i}`);
        let v = Number(p[this.i++]);
        if (isOctal(p[this.i])) {
          v = v * 8 + Number(p[this.i++]);
          if (isOctal(p[this.i]) && v < 32) v = v * 8 + Number(p[this.i++]);
        }
        this.out += hex4(v);
        return;
      }
      case 'x': {
        const braced = /^\{([0-9a-fA-F]+)\}/.exec(p.slice(this.i));
        const two = /^[0-9a-fA-F]{2}/.exec(p.slice(this.i));
        if (!braced && !two) throw new JavaPatternError(`Illegal hexadecimal escape sequence near index ${this.i}`);
        this.i += (braced ?? two)![0].length;
        this.out += codePointText(parseInt(braced ? braced[1]! : two![0], 16), inClass, at);
        return;
      }
      case 'u':
        if (!/^[0-9a-fA-F]{4}/.test(p.slice(this.i))) throw new JavaPatternError(`Illegal Unicode escape sequence near index ${this.i}`);
        this.out += `\\u${p.slice(this.i, this.i + 4)}`;
        this.i += 4;
        return;
      case 'c':
        if (p[this.i] === undefined) throw new JavaPatternError(`Illegal control escape sequence near index ${this.i}`);
        this.out += hex4(p.charCodeAt(this.i++) ^ 64);
        return;
      case 'a': this.out += '\\x07'; return;
      case 'e': this.out += '\\x1B'; return;
      case 't': case 'n': case 'r': case 'f': case 'd': case 'D': case 'w': case 'W':
        this.out += `\\${c}`;
        return;
      case 'p': case 'P': {
        const m = /^\{(\w+)\}/.exec(p.slice(this.i));
        const range = m ? POSIX[m[1]!] : undefined;
        if (range === undefined) this.refuse(`\\${c}${m ? m[0] : ''} (only the POSIX classes \\p{Lower} ... \\p{Space} are supported)`);
        if (inClass && c === 'P') this.refuse('\\P{..} inside a character class');
        this.i += m![0].length;
        this.out += inClass ? range : `[${c === 'P' ? '^' : ''}${range}]`;
        return;
      }
      case 'k':
        if (inClass) this.refuse('\\k inside a character class');
        this.out += '\\k';
        return;
    }
    if (!inClass) {
      switch (c) {
        case 'b': case 'B':
          if (p[this.i] === '{') this.refuse(`\\${c}{...}`);
          this.out += `\\${c}`;
          return;
        case 'A': this.out += '(?<![\\s\\S])'; return;
        case 'z': this.out += '(?![\\s\\S])'; return;
        case 'Z': this.out += `(?=(?:\\r\\n|[${LINE_TERMINATOR}])?(?![\\s\\S]))`; return;
        case 'R': this.out += `(?:\\r\\n|[${VSPACE}])`; return;
      }
    }
    if (/[A-Za-z0-9]/.test(c)) {
      if ('GXN'.includes(c)) this.refuse(`\\${c}`);
      throw new JavaPatternError(`Illegal/unsupported escape sequence near index ${at + 1}`);
    }
    this.out += `\\${c}`;
  }
}

/** Compiles a Java regex; throws JavaPatternError for what Java rejects or JavaScript cannot match alike. */
export function compileJavaPattern(pattern: string): JavaPattern {
  let body = pattern;
  let flags = '';
  let dotAll = false;
  const lead = LEADING_FLAGS.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 'm') flags += flags.includes(f) ? '' : f;
      else if (f === 's') dotAll = true;
      else if (f !== 'u') throw new JavaPatternError(`inline flag (?${f}) is not supported`);
    }
    body = pattern.slice(lead[0].length);
  }
  const source = new Translator(body, dotAll, flags.includes('m')).run();
  try {
    const probe = new RegExp(`${source}|`, flags).exec('')!;
    return {
      find: new RegExp(source, flags),
      whole: new RegExp(`(?<![\\s\\S])(?:${source})(?![\\s\\S])`, flags),
      groupCount: probe.length - 1,
      groupNames: new Set(Object.keys(probe.groups ?? {})),
    };
  } catch (err) {
    throw new JavaPatternError((err as Error).message);
  }
}

/** Literal text, a group number, or a group name. */
export type ReplacementPart = string | number | { readonly name: string };

/**
 * Java's replacement syntax (`Matcher.appendReplacement`): `$n` takes as many digits as name an
 * existing group, `${name}` a named group, `\x` is `x`. Throws JavaPatternError with Java's message.
 */
export function parseJavaReplacement(replacement: string, pattern: JavaPattern): readonly ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = '';
  const r = replacement;
  for (let i = 0; i < r.length; ) {
    const c = r[i]!;
    if (c === '\\') {
      if (i + 1 >= r.length) throw new JavaPatternError('character to be escaped is missing');
      text += r[i + 1];
      i += 2;
    } else if (c === '$') {
      i++;
      if (i >= r.length) throw new JavaPatternError('Illegal group reference: group index is missing');
      let ref: ReplacementPart;
      if (r[i] === '{') {
        const name = /^[A-Za-z0-9]*/.exec(r.slice(i + 1))![0];
        if (name === '') throw new JavaPatternError('named capturing group has 0 length name');
        if (r[i + 1 + name.length] !== '}') throw new JavaPatternError("named capturing group is missing trailing '}'");
        if (/^\d/.test(name)) throw new JavaPatternError(`capturing group name {${name}} starts with digit character`);
        if (!pattern.groupNames.has(name)) throw new JavaPatternError(`No group with name {${name}}`);
        ref = { name };
        i += name.length + 2;
      } else {
        if (!(r[i]! >= '0' && r[i]! <= '9')) throw new JavaPatternError('Illegal group reference');
        let n = Number(r[i++]);
        while (i < r.length && r[i]! >= '0' && r[i]! <= '9' && n * 10 + Number(r[i]) <= pattern.groupCount) n = n * 10 + Number(r[i++]);
        if (n > pattern.groupCount) throw new JavaPatternError(`No group ${n}`);
        ref = n;
      }
      if (text !== '') parts.push(text);
      text = '';
      parts.push(ref);
    } else {
      text += c;
      i++;
    }
  }
  if (text !== '') parts.push(text);
  return Object.freeze(parts);
}

/** The replacement text for one match (an unmatched group adds nothing, as in Java). */
export function expandReplacement(parts: readonly ReplacementPart[], m: RegExpExecArray): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (typeof part === 'number') out += m[part] ?? '';
    else out += m.groups?.[part.name] ?? '';
  }
  return out;
}

/**
 * Java's `if (matcher.matches()) return matcher.replaceFirst(replacement)`: null unless `input`
 * matches entirely; else the first match found from the start (which need not span the input, e.g.
 * `a|ab` on "ab") replaced.
 */
export function replaceFirstIfMatches(pattern: JavaPattern, parts: readonly ReplacementPart[], input: string): string | null {
  if (!pattern.whole.test(input)) return null;
  const m = pattern.find.exec(input)!;
  return input.slice(0, m.index) + expandReplacement(parts, m) + input.slice(m.index + m[0].length);
}
