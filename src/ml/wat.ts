/**
 * A small assembler from WebAssembly text (WAT) to the binary format, for the kernels that ship as WAT source
 * (`binomial-kernels.ts`): the bytes are built from the committed text when a module is first used, so the
 * text is the only source. It covers the subset the kernels use: one module with memory imports or a memory
 * definition, functions with named params, results and locals, folded and flat instructions, block/loop/if with
 * labels, the i32/i64/f64 scalar instructions and the 128-bit SIMD instructions listed in {@link OPCODES}.
 * Encoding follows the WebAssembly 2.0 specification (https://webassembly.github.io/spec/core/binary/).
 */

type Sexp = string | Sexp[];

/** Immediate kinds an instruction takes after its opcode. */
type Immediate = "none" | "local" | "label" | "func" | "i32" | "i64" | "f64" | "mem" | "v128" | "lane" | "zero" | "block";

interface OpInfo {
  /** Opcode bytes before immediates (0xfd-prefixed SIMD opcodes are LEB128-encoded after the prefix). */
  code: number[];
  imm: Immediate;
  /** Natural alignment (log2 bytes) of memory instructions. */
  align?: number;
}

const simd = (op: number, imm: Immediate = "none", align?: number): OpInfo => ({ code: [0xfd, ...uleb(op)], imm, align });
const op = (code: number, imm: Immediate = "none", align?: number): OpInfo => ({ code: [code], imm, align });

/** The instructions this assembler knows, by their WAT names. */
export const OPCODES: Record<string, OpInfo> = {
  unreachable: op(0x00),
  nop: op(0x01),
  block: op(0x02, "block"),
  loop: op(0x03, "block"),
  if: op(0x04, "block"),
  else: op(0x05),
  end: op(0x0b),
  br: op(0x0c, "label"),
  br_if: op(0x0d, "label"),
  return: op(0x0f),
  call: op(0x10, "func"),
  drop: op(0x1a),
  select: op(0x1b),
  "local.get": op(0x20, "local"),
  "local.set": op(0x21, "local"),
  "local.tee": op(0x22, "local"),
  "i32.load": op(0x28, "mem", 2),
  "i64.load": op(0x29, "mem", 3),
  "f64.load": op(0x2b, "mem", 3),
  "i32.store": op(0x36, "mem", 2),
  "i64.store": op(0x37, "mem", 3),
  "f64.store": op(0x39, "mem", 3),
  "memory.size": op(0x3f, "zero"),
  "memory.grow": op(0x40, "zero"),
  "i32.const": op(0x41, "i32"),
  "i64.const": op(0x42, "i64"),
  "f64.const": op(0x44, "f64"),
  "i32.eqz": op(0x45),
  "i32.eq": op(0x46),
  "i32.ne": op(0x47),
  "i32.lt_s": op(0x48),
  "i32.lt_u": op(0x49),
  "i32.gt_s": op(0x4a),
  "i32.gt_u": op(0x4b),
  "i32.le_s": op(0x4c),
  "i32.le_u": op(0x4d),
  "i32.ge_s": op(0x4e),
  "i32.ge_u": op(0x4f),
  "f64.eq": op(0x61),
  "f64.ne": op(0x62),
  "f64.lt": op(0x63),
  "f64.gt": op(0x64),
  "f64.le": op(0x65),
  "f64.ge": op(0x66),
  "i32.add": op(0x6a),
  "i32.sub": op(0x6b),
  "i32.mul": op(0x6c),
  "i32.and": op(0x71),
  "i32.or": op(0x72),
  "i32.shl": op(0x74),
  "i32.shr_s": op(0x75),
  "i32.shr_u": op(0x76),
  "i64.add": op(0x7c),
  "i64.sub": op(0x7d),
  "i64.shl": op(0x86),
  "f64.abs": op(0x99),
  "f64.neg": op(0x9a),
  "f64.sqrt": op(0x9f),
  "f64.add": op(0xa0),
  "f64.sub": op(0xa1),
  "f64.mul": op(0xa2),
  "f64.div": op(0xa3),
  "f64.min": op(0xa4),
  "f64.max": op(0xa5),
  "f64.convert_i32_s": op(0xb7),
  "i64.reinterpret_f64": op(0xbd),
  "f64.reinterpret_i64": op(0xbf),
  "v128.load": simd(0x00, "mem", 4),
  "v128.store": simd(0x0b, "mem", 4),
  "v128.const": simd(0x0c, "v128"),
  "i64x2.splat": simd(0x12),
  "f64x2.splat": simd(0x14),
  "f64x2.extract_lane": simd(0x21, "lane"),
  "f64x2.replace_lane": simd(0x22, "lane"),
  "f64x2.eq": simd(0x47),
  "f64x2.ne": simd(0x48),
  "f64x2.lt": simd(0x49),
  "f64x2.gt": simd(0x4a),
  "f64x2.le": simd(0x4b),
  "f64x2.ge": simd(0x4c),
  "v128.not": simd(0x4d),
  "v128.and": simd(0x4e),
  "v128.andnot": simd(0x4f),
  "v128.or": simd(0x50),
  "v128.xor": simd(0x51),
  "v128.bitselect": simd(0x52),
  "v128.any_true": simd(0x53),
  "i64x2.bitmask": simd(0xc4),
  "i64x2.shl": simd(0xcb),
  "i64x2.shr_s": simd(0xcc),
  "i64x2.shr_u": simd(0xcd),
  "i64x2.add": simd(0xce),
  "i64x2.sub": simd(0xd1),
  "f64x2.abs": simd(0xec),
  "f64x2.neg": simd(0xed),
  "f64x2.sqrt": simd(0xef),
  "f64x2.ceil": simd(0x74),
  "f64x2.floor": simd(0x75),
  "f64x2.add": simd(0xf0),
  "f64x2.sub": simd(0xf1),
  "f64x2.mul": simd(0xf2),
  "f64x2.div": simd(0xf3),
  "f64x2.min": simd(0xf4),
  "f64x2.max": simd(0xf5),
  "f64x2.pmin": simd(0xf6),
  "f64x2.pmax": simd(0xf7),
};

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a bigint (i32 and i64 immediates). */
function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function f64Bytes(v: number): number[] {
  return Array.from(new Uint8Array(Float64Array.of(v).buffer));
}

function parseFloat64(t: string): number {
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  if (t === "nan") return NaN;
  const v = Number(t.replace(/_/g, ""));
  if (Number.isNaN(v)) throw new Error(`wat: invalid f64 literal ${t}`);
  return v;
}

function parseInt64(t: string): bigint {
  const neg = t.startsWith("-");
  const body = t.replace(/^[-+]/, "").replace(/_/g, "");
  const v = BigInt(body);
  return neg ? -v : v;
}

/** Tokens of WAT text: parentheses, strings and atoms; `;;` line comments and `(; ;)` block comments are skipped. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ";" && text[i + 1] === ";") {
      while (i < text.length && text[i] !== "\n") ++i;
    } else if (c === "(" && text[i + 1] === ";") {
      const e = text.indexOf(";)", i + 2);
      if (e < 0) throw new Error("wat: unterminated block comment");
      i = e + 2;
    } else if (c === "(" || c === ")") {
      out.push(c);
      ++i;
    } else if (c === '"') {
      const e = text.indexOf('"', i + 1);
      if (e < 0) throw new Error("wat: unterminated string");
      out.push(text.slice(i, e + 1));
      i = e + 1;
    } else if (/\s/.test(c)) {
      ++i;
    } else {
      let e = i;
      while (e < text.length && !/[\s()]/.test(text[e])) ++e;
      out.push(text.slice(i, e));
      i = e;
    }
  }
  return out;
}

function parse(tokens: string[]): Sexp[] {
  let i = 0;
  const list = (): Sexp[] => {
    const out: Sexp[] = [];
    while (i < tokens.length && tokens[i] !== ")") {
      if (tokens[i] === "(") {
        ++i;
        out.push(list());
        if (tokens[i] !== ")") throw new Error("wat: missing )");
        ++i;
      } else out.push(tokens[i++]);
    }
    return out;
  };
  const top = list();
  if (i !== tokens.length) throw new Error("wat: unbalanced )");
  return top;
}

const isList = (s: Sexp | undefined): s is Sexp[] => Array.isArray(s);
const head = (s: Sexp | undefined): string | undefined => (isList(s) && typeof s[0] === "string" ? s[0] : undefined);
const unquote = (s: Sexp): string => {
  if (typeof s !== "string" || !s.startsWith('"')) throw new Error(`wat: expected a string, got ${JSON.stringify(s)}`);
  return s.slice(1, -1);
};

interface FuncDef {
  id?: string;
  exportName?: string;
  params: { id?: string; type: string }[];
  results: string[];
  locals: { id?: string; type: string }[];
  body: Sexp[];
}

/** Encodes one function body; labels and locals are resolved by name. */
function encodeBody(fn: FuncDef, funcIndex: Map<string, number>): number[] {
  const localIndex = new Map<string, number>();
  [...fn.params, ...fn.locals].forEach((l, i) => {
    if (l.id) localIndex.set(l.id, i);
  });
  const labels: (string | undefined)[] = [];
  const out: number[] = [];

  const ref = (t: Sexp | undefined, table: Map<string, number>, what: string): number => {
    if (typeof t !== "string") throw new Error(`wat: ${fn.id ?? "func"}: expected a ${what}`);
    if (t.startsWith("$")) {
      const v = table.get(t);
      if (v === undefined) throw new Error(`wat: ${fn.id ?? "func"}: unknown ${what} ${t}`);
      return v;
    }
    return Number(t);
  };
  const labelDepth = (t: Sexp | undefined): number => {
    if (typeof t !== "string") throw new Error(`wat: ${fn.id ?? "func"}: expected a label`);
    if (!t.startsWith("$")) return Number(t);
    const pos = labels.lastIndexOf(t);
    if (pos < 0) throw new Error(`wat: ${fn.id ?? "func"}: unknown label ${t}`);
    return labels.length - 1 - pos;
  };
  const blockType = (items: Sexp[], k: number): [number, number] => {
    if (head(items[k]) === "result") {
      const r = items[k] as Sexp[];
      return [VALTYPE[r[1] as string], k + 1];
    }
    return [0x40, k];
  };

  /** Emits the immediates of `info` read from items[k..]; returns the index after them. */
  const immediates = (opName: string, info: OpInfo, items: Sexp[], k: number): number => {
    switch (info.imm) {
      case "none":
        return k;
      case "zero":
        out.push(0);
        return k;
      case "local":
        out.push(...uleb(ref(items[k], localIndex, "local")));
        return k + 1;
      case "label":
        out.push(...uleb(labelDepth(items[k])));
        return k + 1;
      case "func":
        out.push(...uleb(ref(items[k], funcIndex, "function")));
        return k + 1;
      case "i32":
        out.push(...sleb(BigInt.asIntN(32, parseInt64(items[k] as string))));
        return k + 1;
      case "i64":
        out.push(...sleb(BigInt.asIntN(64, parseInt64(items[k] as string))));
        return k + 1;
      case "f64":
        out.push(...f64Bytes(parseFloat64(items[k] as string)));
        return k + 1;
      case "lane":
        out.push(Number(items[k]));
        return k + 1;
      case "mem": {
        let offset = 0;
        let align = info.align ?? 0;
        while (typeof items[k] === "string" && /^(offset|align)=/.test(items[k] as string)) {
          const [key, v] = (items[k] as string).split("=");
          if (key === "offset") offset = Number(v);
          else align = Math.log2(Number(v));
          ++k;
        }
        out.push(...uleb(align), ...uleb(offset));
        return k;
      }
      case "v128": {
        const shape = items[k] as string;
        const lanes: Record<string, number> = { f64x2: 2, i64x2: 2, i32x4: 4 };
        const count = lanes[shape];
        if (!count) throw new Error(`wat: v128.const shape ${shape} not supported`);
        const bytes = new Uint8Array(16);
        const view = new DataView(bytes.buffer);
        for (let l = 0; l < count; ++l) {
          const t = items[k + 1 + l] as string;
          if (shape === "f64x2") view.setFloat64(l * 8, parseFloat64(t), true);
          else if (shape === "i64x2") view.setBigInt64(l * 8, BigInt.asIntN(64, parseInt64(t)), true);
          else view.setInt32(l * 4, Number(BigInt.asIntN(32, parseInt64(t))), true);
        }
        out.push(...bytes);
        return k + 1 + count;
      }
      case "block":
        throw new Error(`wat: ${opName} handled by the caller`);
    }
  };

  const folded = (s: Sexp[]): void => {
    const opName = s[0] as string;
    if (opName === "block" || opName === "loop") {
      let k = 1;
      const label = typeof s[k] === "string" && (s[k] as string).startsWith("$") ? (s[k++] as string) : undefined;
      const [bt, k2] = blockType(s, k);
      out.push(OPCODES[opName].code[0], bt);
      labels.push(label);
      sequence(s.slice(k2));
      labels.pop();
      out.push(0x0b);
      return;
    }
    if (opName === "if") {
      let k = 1;
      const label = typeof s[k] === "string" && (s[k] as string).startsWith("$") ? (s[k++] as string) : undefined;
      const [bt, k2] = blockType(s, k);
      let j = k2;
      while (j < s.length && head(s[j]) !== "then") folded(s[j++] as Sexp[]);
      out.push(0x04, bt);
      labels.push(label);
      const thenPart = s[j] as Sexp[] | undefined;
      if (head(thenPart) !== "then") throw new Error("wat: if without (then …)");
      sequence((thenPart as Sexp[]).slice(1));
      const elsePart = s[j + 1];
      if (head(elsePart) === "else") {
        out.push(0x05);
        sequence((elsePart as Sexp[]).slice(1));
      }
      labels.pop();
      out.push(0x0b);
      return;
    }
    const info = OPCODES[opName] as OpInfo | undefined;
    if (!info) throw new Error(`wat: unknown instruction ${opName}`);
    const bytesAt = out.length;
    const k = immediates(opName, info, s, 1);
    const imm = out.splice(bytesAt);
    for (let j = k; j < s.length; ++j) {
      if (!isList(s[j])) throw new Error(`wat: unexpected ${String(s[j])} in (${opName} …)`);
      folded(s[j] as Sexp[]);
    }
    out.push(...info.code, ...imm);
  };

  const sequence = (items: Sexp[]): void => {
    let k = 0;
    while (k < items.length) {
      const it = items[k];
      if (isList(it)) {
        folded(it);
        ++k;
        continue;
      }
      const info = OPCODES[it] as OpInfo | undefined;
      if (!info) throw new Error(`wat: unknown instruction ${it}`);
      if (it === "block" || it === "loop" || it === "if") {
        ++k;
        const label = typeof items[k] === "string" && (items[k] as string).startsWith("$") ? (items[k++] as string) : undefined;
        const [bt, k2] = blockType(items, k);
        out.push(info.code[0], bt);
        labels.push(label);
        k = k2;
      } else if (it === "end") {
        labels.pop();
        out.push(0x0b);
        ++k;
      } else {
        out.push(...info.code);
        k = immediates(it, info, items, k + 1);
      }
    }
  };

  sequence(fn.body);
  const groups: [number, string][] = [];
  for (const l of fn.locals) {
    const last = groups[groups.length - 1] as [number, string] | undefined;
    if (last && last[1] === l.type) last[0]++;
    else groups.push([1, l.type]);
  }
  const code = [...uleb(groups.length), ...groups.flatMap(([c, t]) => [...uleb(c), VALTYPE[t]]), ...out, 0x0b];
  return [...uleb(code.length), ...code];
}

function section(id: number, body: number[]): number[] {
  return body.length ? [id, ...uleb(body.length), ...body] : [];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * Assembles WAT text into a WebAssembly binary module.
 * @param text one `(module …)`
 */
export function assembleWat(text: string): Uint8Array<ArrayBuffer> {
  const top = parse(tokenize(text));
  const mod = top[0];
  if (top.length !== 1 || head(mod) !== "module") throw new Error("wat: expected one (module …)");
  const fields = (mod as Sexp[]).slice(1);
  const imports: number[][] = [];
  const memories: number[][] = [];
  const exports: number[][] = [];
  const funcs: FuncDef[] = [];
  const limits = (items: Sexp[]): number[] => {
    const nums = items.filter((x): x is string => typeof x === "string" && /^\d+$/.test(x)).map(Number);
    return nums.length > 1 ? [1, ...uleb(nums[0]), ...uleb(nums[1])] : [0, ...uleb(nums[0] ?? 0)];
  };
  for (const f of fields) {
    const kind = head(f);
    const items = f as Sexp[];
    if (kind === "import") {
      const desc = items[3] as Sexp[];
      if (head(desc) !== "memory") throw new Error("wat: only memory imports are supported");
      imports.push([...name(unquote(items[1])), ...name(unquote(items[2])), 0x02, ...limits(desc.slice(1))]);
    } else if (kind === "memory") {
      const exp = items.find((x) => head(x) === "export") as Sexp[] | undefined;
      if (exp) exports.push([...name(unquote(exp[1])), 0x02, ...uleb(imports.length + memories.length)]);
      memories.push(limits(items.slice(1).filter((x) => !isList(x))));
    } else if (kind === "func") {
      const fn: FuncDef = { params: [], results: [], locals: [], body: [] };
      let k = 1;
      if (typeof items[k] === "string" && (items[k] as string).startsWith("$")) fn.id = items[k++] as string;
      for (; k < items.length; ++k) {
        const h = head(items[k]);
        const it = items[k] as Sexp[];
        if (h === "export") fn.exportName = unquote(it[1]);
        else if (h === "param" || h === "local") {
          const list = h === "param" ? fn.params : fn.locals;
          if (typeof it[1] === "string" && it[1].startsWith("$")) list.push({ id: it[1], type: it[2] as string });
          else for (const t of it.slice(1)) list.push({ type: t as string });
        } else if (h === "result") fn.results.push(...(it.slice(1) as string[]));
        else break;
      }
      fn.body = items.slice(k);
      funcs.push(fn);
    } else throw new Error(`wat: unsupported module field ${String(kind)}`);
  }
  const funcIndex = new Map<string, number>();
  funcs.forEach((fn, i) => {
    if (fn.id) funcIndex.set(fn.id, i);
  });
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const typeOf = funcs.map((fn) => {
    const key = `${fn.params.map((p) => p.type).join(",")}->${fn.results.join(",")}`;
    let t = types.indexOf(key);
    if (t < 0) {
      t = types.push(key) - 1;
      typeBytes.push([0x60, ...vec(fn.params.map((p) => [VALTYPE[p.type]])), ...vec(fn.results.map((r) => [VALTYPE[r]]))]);
    }
    return t;
  });
  funcs.forEach((fn, i) => {
    if (fn.exportName) exports.push([...name(fn.exportName), 0x00, ...uleb(i)]);
  });
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, typeBytes.length ? vec(typeBytes) : []),
    ...section(2, imports.length ? vec(imports) : []),
    ...section(3, funcs.length ? vec(typeOf.map((t) => uleb(t))) : []),
    ...section(5, memories.length ? vec(memories) : []),
    ...section(7, exports.length ? vec(exports) : []),
    ...section(10, funcs.length ? vec(funcs.map((fn) => encodeBody(fn, funcIndex))) : []),
  ];
  return Uint8Array.from(bytes);
}
