// Tokenizes .psy sources with VS Code's own TextMate engine (vscode-textmate + oniguruma)
// and checks the scopes of the constructs the grammar must colour. Run: npm test
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const grammars = {
  "source.psy": "psy.tmLanguage.json",
  "markdown.psy.codeblock": "psy.markdown.tmLanguage.json",
};
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scope) => {
    const file = grammars[scope];
    if (!file) return null;
    const full = path.join(__dirname, "..", "syntaxes", file);
    return vsctm.parseRawGrammar(fs.readFileSync(full, "utf8"), full);
  },
});

function scopesOf(grammar, text) {
  const out = [];
  let stack = vsctm.INITIAL;
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) out.push([line.slice(t.startIndex, t.endIndex), t.scopes]);
    stack = r.ruleStack;
  }
  return out;
}

function scopeOf(tokens, text) {
  const hit = tokens.find(([s]) => s === text);
  assert.ok(hit, `no token ${JSON.stringify(text)}`);
  return hit[1].join(" ");
}

(async () => {
  const grammar = await registry.loadGrammar("source.psy");
  const src = [
    "// a comment",
    "use std::hash::poseidon;",
    "#[test(should_fail_with = \"too big\")]",
    "pub fn main(pub x: u32, xs: [Felt; 4]) -> pub Hash {",
    "    let mut y: u64 = 0xff_ff + 1_000; /* block */",
    "    if y >= 2 { assert(true, \"msg \\\" x\"); }",
    "    poseidon::<4>(xs)",
    "}",
    "impl Token { fn mint(&mut self) { self.balance += 1; } }",
  ].join("\n");
  const t = scopesOf(grammar, src);
  assert.match(scopeOf(t, "// a comment"), /comment\.line/);
  assert.match(scopeOf(t, " block "), /comment\.block/);
  assert.match(scopeOf(t, "fn"), /keyword/);
  assert.match(scopeOf(t, "main"), /entity\.name\.function/);
  assert.match(scopeOf(t, "u32"), /support\.type/);
  assert.match(scopeOf(t, "Hash"), /support\.type/);
  assert.match(scopeOf(t, "0xff_ff"), /constant\.numeric\.hex/);
  assert.match(scopeOf(t, "1_000"), /constant\.numeric/);
  assert.match(scopeOf(t, "let"), /keyword/);
  assert.match(scopeOf(t, "mut"), /storage\.modifier/);
  assert.match(scopeOf(t, "if"), /keyword\.control/);
  assert.match(scopeOf(t, "assert"), /support\.function/);
  assert.match(scopeOf(t, "true"), /constant\.language/);
  assert.match(scopeOf(t, "\\\""), /constant\.character\.escape/);
  assert.match(scopeOf(t, "test"), /meta\.attribute/);
  assert.match(scopeOf(t, "Token"), /entity\.name\.type/);
  assert.match(scopeOf(t, "poseidon"), /entity\.name\.function/);

  // ```psy blocks in Markdown are highlighted as psy
  const md = await registry.loadGrammar("markdown.psy.codeblock");
  const m = scopesOf(md, "```psy\nfn main() {}\n```");
  assert.match(scopeOf(m, "fn"), /keyword/);

  // every .psy file of the repository tokenizes (no runaway begin/end rule)
  const root = path.join(__dirname, "..", "..", "..");
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "target") continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".psy")) files.push(p);
    }
  };
  walk(root);
  for (const f of files) {
    const tokens = scopesOf(grammar, fs.readFileSync(f, "utf8"));
    const open = tokens.filter(([, s]) => s.some((x) => x.startsWith("string") || x.startsWith("comment.block")));
    assert.ok(open.length < tokens.length / 2, `${f}: most of the file is a string or comment`);
  }
  console.log(`grammar ok (${files.length} .psy files tokenized)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
