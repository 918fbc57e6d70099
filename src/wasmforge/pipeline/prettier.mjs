// Formats generated JavaScript and TypeScript (pipeline/format.py): Prettier lays
// out the code, including the TypeScript examples inside JSDoc comments, then
// comments longer than the line width are folded, which Prettier leaves alone.
// Usage: node prettier.mjs NPM_TOOLS_DIR < {"files": {"api.js": "…"}, "options": {…}}
// Prints {"files": {"api.js": "…"}}: the same names, formatted. One process for
// every file of a package: Prettier's start-up is most of its cost.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PARSERS = { '.js': 'babel', '.cjs': 'babel', '.mjs': 'babel', '.ts': 'typescript', '.cts': 'typescript' };
// A fenced TypeScript example inside a JSDoc comment: its indentation, then its lines.
const EXAMPLE = /^([ \t]*)\* ```ts\n((?:\1\*.*\n)*?)\1\* ```$/gm;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const require = createRequire(path.join(process.argv[2], 'package.json'));
// require.resolve finds Prettier's CommonJS entry: its API is the module's default export.
const prettier = (await import(pathToFileURL(require.resolve('prettier')).href)).default;

// An example's outcome, `// → value`, is formatted as the value it shows: as the
// argument of a stand-in call, turned back into comment lines afterwards.
const OUTCOME = '// → ';
const STAND_IN = '__outcome__';

function outcomesAsCode(code) {
  return code.split('\n').map((line) => (line.startsWith(OUTCOME) ? `${STAND_IN}(${line.slice(OUTCOME.length)});` : line))
    .join('\n');
}

function outcomesAsComments(code) {
  const out = [];
  let inside = false;
  for (const line of code.split('\n')) {
    if (line.startsWith(`${STAND_IN}(`)) {
      const value = line.slice(STAND_IN.length + 1);
      inside = !value.endsWith(');');
      out.push(OUTCOME + (inside ? value : value.slice(0, -2)));
    } else if (inside) {
      inside = !line.endsWith(');');
      out.push(`// ${inside ? line : line.slice(0, -2)}`);
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

async function formatExamples(text, options) {
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(EXAMPLE)) {
    const [whole, indent, body] = match;
    const prefix = `${indent}* `;
    const code = body.split('\n').slice(0, -1).map((line) => line.slice(prefix.length)).join('\n');
    const width = options.printWidth - prefix.length;
    const laidOut = await prettier.format(outcomesAsCode(code), { ...options, parser: 'typescript', printWidth: width });
    const formatted = outcomesAsComments(laidOut.trimEnd());
    const lines = formatted.split('\n').map((line) => (line ? prefix + line : prefix.trimEnd()));
    pieces.push(text.slice(last, match.index), `${prefix}\`\`\`ts\n${lines.join('\n')}\n${prefix}\`\`\``);
    last = match.index + whole.length;
  }
  return pieces.join('') + text.slice(last);
}

// Words of `text` in lines of at most `width` characters (a longer word stays whole).
function fold(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines;
}

function foldComments(text, width) {
  const out = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    const block = /^([ \t]*)\/\*\* (.*) \*\/$/.exec(line);
    const inner = /^([ \t]*)\* (.*)$/.exec(line);
    const slashes = /^([ \t]*)\/\/ (.*)$/.exec(line);
    const exampleNote = /^([ \t]*)\* \/\/ (?!→)(.*)$/.exec(line);
    if (inner && inner[2].startsWith('```')) fenced = !fenced;
    if (line.length <= width) {
      out.push(line);
    } else if (fenced && exampleNote) {
      const [, indent, words] = exampleNote;
      out.push(...fold(words, width - indent.length - 5).map((l) => `${indent}* // ${l}`));
    } else if (fenced) {
      out.push(line);
    } else if (block) {
      const [, indent, words] = block;
      out.push(`${indent}/**`, ...fold(words, width - indent.length - 3).map((l) => `${indent} * ${l}`), `${indent} */`);
    } else if (inner) {
      const [, indent, words] = inner;
      const hanging = /^@\w+ /.test(words) ? '  ' : '';
      fold(words, width - indent.length - 2 - hanging.length).forEach((l, i) =>
        out.push(`${indent}* ${i ? hanging : ''}${l}`),
      );
    } else if (slashes) {
      const [, indent, words] = slashes;
      out.push(...fold(words, width - indent.length - 3).map((l) => `${indent}// ${l}`));
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

const { files, options } = JSON.parse(await readStdin());
const formatted = {};
for (const [name, text] of Object.entries(files)) {
  const parser = PARSERS[path.extname(name)];
  if (!parser) throw new Error(`no Prettier parser for ${name}`);
  try {
    const code = await prettier.format(await formatExamples(text, options), { ...options, parser });
    formatted[name] = foldComments(code, options.printWidth);
  } catch (error) {
    // A syntax error here is a template bug: name the file and the place.
    throw new Error(`${name}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify({ files: formatted }));
