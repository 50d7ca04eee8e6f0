/**
 * A small assembler from the WebAssembly text format to the binary format, for the subset that
 * `kernels.wat` uses: one imported memory, functions with named params and locals, and a flat (not folded)
 * instruction list with named labels. It exists so that the kernels' source is the text format and the bytes
 * shipped in `kernels-wasm.ts` can be regenerated and checked without a toolchain (`generate.ts`, and
 * test/ml/wasm-kernels.test.ts checks that the committed bytes equal the assembled source). Any spec-conforming
 * assembler (wabt's `wat2wasm`) reads the same file; the binary layout follows the WebAssembly 2.0 spec,
 * sections 5.4 (instructions) and 5.5 (modules).
 */

type Sexp = string | Sexp[];

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** One-byte opcodes with no immediate. */
const PLAIN: Record<string, number> = {
  unreachable: 0x00,
  nop: 0x01,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.le_u": 0x4d,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "f64.eq": 0x61,
  "f64.ne": 0x62,
  "f64.lt": 0x63,
  "f64.gt": 0x64,
  "f64.le": 0x65,
  "f64.ge": 0x66,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.div_s": 0x6d,
  "i32.div_u": 0x6e,
  "i32.rem_s": 0x6f,
  "i32.rem_u": 0x70,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
  "f64.abs": 0x99,
  "f64.neg": 0x9a,
  "f64.sqrt": 0x9f,
  "f64.add": 0xa0,
  "f64.sub": 0xa1,
  "f64.mul": 0xa2,
  "f64.div": 0xa3,
  "f64.min": 0xa4,
  "f64.max": 0xa5,
  "f64.convert_i32_s": 0xb7,
  "f64.convert_i32_u": 0xb8,
};

/** Memory instructions: opcode and natural alignment (log2 bytes). */
const MEMORY: Record<string, [number, number]> = {
  "i32.load": [0x28, 2],
  "f64.load": [0x2b, 3],
  "i32.store": [0x36, 2],
  "f64.store": [0x39, 3],
};

/** SIMD (0xfd-prefixed) instructions with no immediate. */
const SIMD_PLAIN: Record<string, number> = {
  "f64x2.splat": 0x14,
  "f64x2.eq": 0x47,
  "f64x2.ne": 0x48,
  "f64x2.lt": 0x49,
  "f64x2.gt": 0x4a,
  "f64x2.le": 0x4b,
  "f64x2.ge": 0x4c,
  "v128.bitselect": 0x52,
  "f64x2.abs": 0xec,
  "f64x2.neg": 0xed,
  "f64x2.sqrt": 0xef,
  "f64x2.add": 0xf0,
  "f64x2.sub": 0xf1,
  "f64x2.mul": 0xf2,
  "f64x2.div": 0xf3,
  "f64x2.min": 0xf4,
  "f64x2.max": 0xf5,
  "f64x2.pmin": 0xf6,
  "f64x2.pmax": 0xf7,
};

/** SIMD memory instructions: opcode and natural alignment. */
const SIMD_MEMORY: Record<string, [number, number]> = {
  "v128.load": [0x00, 4],
  "v128.load64_splat": [0x0a, 3],
  "v128.store": [0x0b, 4],
};

/** SIMD lane instructions (one lane-index byte). */
const SIMD_LANE: Record<string, number> = {
  "f64x2.extract_lane": 0x21,
  "f64x2.replace_lane": 0x22,
};

/**
 * Assembles a module in the text format (the subset described above) to its binary encoding.
 * @param source the text of a `(module …)`
 * @returns the module's bytes
 */
export function assembleWat(source: string): Uint8Array<ArrayBuffer> {
  const forms = parse(tokenize(source));
  if (forms.length !== 1 || !Array.isArray(forms[0]) || forms[0][0] !== "module") throw new Error("wat: expected one (module …)");
  const fields = forms[0].slice(1);
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const imports: number[] = [];
  const funcs: { name: string; type: number; exportName?: string; body: Sexp[]; params: string[]; locals: [string, string][] }[] = [];
  let importCount = 0;
  for (const field of fields) {
    if (!Array.isArray(field)) throw new Error(`wat: unexpected ${field} at module level`);
    if (field[0] === "import") {
      const [, mod, name, desc] = field;
      if (typeof mod !== "string" || typeof name !== "string" || !Array.isArray(desc) || desc[0] !== "memory")
        throw new Error('wat: only (import "m" "n" (memory …)) is supported');
      const min = Number(desc[1]);
      const max = desc.length > 2 && desc[2] !== "shared" ? Number(desc[2]) : undefined;
      const shared = desc.includes("shared");
      imports.push(...name_(unquote(mod)), ...name_(unquote(name)), 0x02);
      if (shared && max === undefined) throw new Error("wat: a shared memory needs a maximum");
      imports.push(shared ? 0x03 : max === undefined ? 0x00 : 0x01, ...u32(min));
      if (max !== undefined) imports.push(...u32(max));
      importCount++;
    } else if (field[0] === "func") {
      let i = 1;
      let name = "";
      if (typeof field[i] === "string" && (field[i] as string).startsWith("$")) name = field[i++] as string;
      let exportName: string | undefined;
      const params: string[] = [];
      const paramTypes: number[] = [];
      const results: number[] = [];
      const locals: [string, string][] = [];
      for (; i < field.length && Array.isArray(field[i]); ++i) {
        const f = field[i] as Sexp[];
        if (f[0] === "export") exportName = unquote(f[1] as string);
        else if (f[0] === "param" || f[0] === "local") {
          const [, id, type] = f as string[];
          if (!id.startsWith("$") || !(type in VALTYPE)) throw new Error(`wat: ${name}: expected (${f[0]} $name type)`);
          if (f[0] === "param") {
            if (locals.length) throw new Error(`wat: ${name}: params must come before locals`);
            params.push(id);
            paramTypes.push(VALTYPE[type]);
          } else locals.push([id, type]);
        } else if (f[0] === "result") results.push(...(f.slice(1) as string[]).map((t) => VALTYPE[t]));
        else break;
      }
      const sig = [0x60, ...u32(paramTypes.length), ...paramTypes, ...u32(results.length), ...results];
      const key = sig.join(",");
      let type = types.indexOf(key);
      if (type < 0) {
        type = types.length;
        types.push(key);
        typeBytes.push(sig);
      }
      funcs.push({ name, type, exportName, body: field.slice(i), params, locals });
    } else throw new Error(`wat: unsupported module field (${String(field[0])} …)`);
  }
  const funcIndex = new Map<string, number>();
  funcs.forEach((f, i) => {
    if (!f.name) return;
    if (funcIndex.has(f.name)) throw new Error(`wat: duplicate function ${f.name}`);
    funcIndex.set(f.name, i);
  });
  const codes = funcs.map((f) => encodeBody(f.name || f.exportName || "func", f.body, f.params, f.locals, funcIndex));
  const exports: number[] = [];
  let exportCount = 0;
  funcs.forEach((f, i) => {
    if (f.exportName === undefined) return;
    exports.push(...name_(f.exportName), 0x00, ...u32(i));
    exportCount++;
  });
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [...u32(typeBytes.length), ...typeBytes.flat()]);
  if (importCount) section(out, 2, [...u32(importCount), ...imports]);
  section(out, 3, [...u32(funcs.length), ...funcs.flatMap((f) => u32(f.type))]);
  if (exportCount) section(out, 7, [...u32(exportCount), ...exports]);
  section(out, 10, [...u32(codes.length), ...codes.flatMap((c) => [...u32(c.length), ...c])]);
  return new Uint8Array(out);
}

function encodeBody(fname: string, body: Sexp[], params: string[], locals: [string, string][], funcIndex: Map<string, number>): number[] {
  const localIndex = new Map<string, number>();
  params.forEach((p, i) => localIndex.set(p, i));
  locals.forEach(([id], i) => localIndex.set(id, params.length + i));
  if (localIndex.size !== params.length + locals.length) throw new Error(`wat: ${fname}: duplicate local name`);
  const out: number[] = [];
  // runs of equal types, as the binary format groups locals
  const runs: [number, number][] = [];
  for (const [, type] of locals) {
    const t = VALTYPE[type];
    const last = runs[runs.length - 1] as [number, number] | undefined;
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  out.push(...u32(runs.length));
  for (const [count, t] of runs) out.push(...u32(count), t);
  const labels: string[] = [];
  const local = (tok: Sexp | undefined): number => {
    if (typeof tok !== "string") throw new Error(`wat: ${fname}: expected a local`);
    const i = localIndex.get(tok) ?? (/^\d+$/.test(tok) ? Number(tok) : undefined);
    if (i === undefined) throw new Error(`wat: ${fname}: unknown local ${tok}`);
    return i;
  };
  const depth = (tok: Sexp | undefined): number => {
    if (typeof tok !== "string") throw new Error(`wat: ${fname}: expected a label`);
    if (/^\d+$/.test(tok)) return Number(tok);
    const i = labels.lastIndexOf(tok);
    if (i < 0) throw new Error(`wat: ${fname}: unknown label ${tok}`);
    return labels.length - 1 - i;
  };
  for (let i = 0; i < body.length; ++i) {
    const op = body[i];
    if (Array.isArray(op)) throw new Error(`wat: ${fname}: folded instructions are not supported (${String(op[0])} …)`);
    const next = body[i + 1];
    if (op === "block" || op === "loop" || op === "if") {
      let label = "";
      if (typeof next === "string" && next.startsWith("$")) {
        label = next;
        ++i;
      }
      labels.push(label);
      out.push(op === "block" ? 0x02 : op === "loop" ? 0x03 : 0x04, 0x40);
    } else if (op === "else") {
      if (typeof next === "string" && next.startsWith("$")) ++i;
      out.push(0x05);
    } else if (op === "end") {
      if (typeof next === "string" && next.startsWith("$")) ++i;
      if (!labels.length) throw new Error(`wat: ${fname}: unbalanced end`);
      labels.pop();
      out.push(0x0b);
    } else if (op === "br" || op === "br_if") {
      out.push(op === "br" ? 0x0c : 0x0d, ...u32(depth(next)));
      ++i;
    } else if (op === "call") {
      const f = typeof next === "string" ? funcIndex.get(next) : undefined;
      if (f === undefined) throw new Error(`wat: ${fname}: unknown function ${String(next)}`);
      out.push(0x10, ...u32(f));
      ++i;
    } else if (op === "local.get" || op === "local.set" || op === "local.tee") {
      out.push(op === "local.get" ? 0x20 : op === "local.set" ? 0x21 : 0x22, ...u32(local(next)));
      ++i;
    } else if (op === "i32.const") {
      out.push(0x41, ...s32(parseInteger(next, fname)));
      ++i;
    } else if (op === "f64.const") {
      const bytes = new Uint8Array(new Float64Array([parseFloatToken(next, fname)]).buffer);
      out.push(0x44, ...bytes);
      ++i;
    } else if (op in PLAIN) out.push(PLAIN[op]);
    else if (op in MEMORY || op in SIMD_MEMORY) {
      const simd = op in SIMD_MEMORY;
      const [code, natural] = simd ? SIMD_MEMORY[op] : MEMORY[op];
      let offset = 0;
      let align = natural;
      while (typeof body[i + 1] === "string" && /^(offset|align)=/.test(body[i + 1] as string)) {
        const [k, v] = (body[++i] as string).split("=");
        if (k === "offset") offset = Number(v);
        else align = Math.log2(Number(v));
      }
      if (!Number.isInteger(align) || align > natural) throw new Error(`wat: ${fname}: bad alignment for ${op}`);
      if (simd) out.push(0xfd, ...u32(code));
      else out.push(code);
      out.push(...u32(align), ...u32(offset));
    } else if (op in SIMD_PLAIN) out.push(0xfd, ...u32(SIMD_PLAIN[op]));
    else if (op in SIMD_LANE) {
      out.push(0xfd, ...u32(SIMD_LANE[op]), parseInteger(next, fname));
      ++i;
    } else throw new Error(`wat: ${fname}: unsupported instruction ${op}`);
  }
  if (labels.length) throw new Error(`wat: ${fname}: ${labels.length} unclosed block(s)`);
  out.push(0x0b);
  return out;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id, ...u32(content.length), ...content);
}

function name_(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...u32(bytes.length), ...bytes];
}

/** Unsigned LEB128. */
function u32(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function s32(v: number): number[] {
  const out: number[] = [];
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function parseInteger(tok: Sexp | undefined, fname: string): number {
  if (typeof tok !== "string" || !/^-?(0x[0-9a-f]+|\d+)$/i.test(tok))
    throw new Error(`wat: ${fname}: expected an integer, got ${String(tok)}`);
  const v = tok.startsWith("-") ? -Number(tok.slice(1)) : Number(tok);
  if (v < -(2 ** 31) || v >= 2 ** 32) throw new Error(`wat: ${fname}: ${tok} does not fit 32 bits`);
  return v;
}

function parseFloatToken(tok: Sexp | undefined, fname: string): number {
  if (tok === "inf" || tok === "+inf") return Infinity;
  if (tok === "-inf") return -Infinity;
  const v = typeof tok === "string" && /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(tok) ? Number(tok) : NaN;
  if (Number.isNaN(v)) throw new Error(`wat: ${fname}: expected a decimal number or inf, got ${String(tok)}`);
  return v;
}

function unquote(s: string): string {
  if (!s.startsWith('"') || !s.endsWith('"')) throw new Error(`wat: expected a string, got ${s}`);
  return s.slice(1, -1);
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ";" && src[i + 1] === ";") {
      while (i < src.length && src[i] !== "\n") ++i;
    } else if (c === "(" && src[i + 1] === ";") {
      const end = src.indexOf(";)", i + 2);
      if (end < 0) throw new Error("wat: unclosed block comment");
      i = end + 2;
    } else if (c === "(" || c === ")") {
      tokens.push(c);
      ++i;
    } else if (/\s/.test(c)) ++i;
    else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new Error("wat: unclosed string");
      tokens.push(src.slice(i, end + 1));
      i = end + 1;
    } else {
      let j = i;
      while (j < src.length && !/[\s()]/.test(src[j]) && !(src[j] === ";" && src[j + 1] === ";")) ++j;
      tokens.push(src.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

function parse(tokens: string[]): Sexp[] {
  const stack: Sexp[][] = [[]];
  for (const t of tokens) {
    if (t === "(") stack.push([]);
    else if (t === ")") {
      const done = stack.pop();
      if (!done || !stack.length) throw new Error("wat: unbalanced )");
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  if (stack.length !== 1) throw new Error("wat: unbalanced (");
  return stack[0];
}
