// Generates (IEEE-754 bits, ECMAScript Number.prototype.toString) pairs: the definition RFC 8785 uses.
const buf = new DataView(new ArrayBuffer(8));
let seed = 20261123n;
function next() { seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn; return seed; }
const lines = [];
function add(bits) {
  buf.setBigUint64(0, bits);
  const d = buf.getFloat64(0);
  if (!Number.isFinite(d)) return;
  lines.push(bits.toString(16).padStart(16, '0') + ' ' + String(d));
}
for (let i = 0; i < 4000; i++) add(next());
// values with few digits and exponents around the ES6 format switch points (1e-7, 1e21)
for (let e = -30; e <= 30; e++) for (const m of [1, 1.5, 3.3333333333333335, 9.999999999999998, 123456789]) {
  buf.setFloat64(0, m * Math.pow(10, e)); add(buf.getBigUint64(0));
  buf.setFloat64(0, -m * Math.pow(10, e)); add(buf.getBigUint64(0));
}
// the smallest subnormals, where one digit often suffices
for (let i = 1n; i <= 300n; i++) { add(i); add(i | 0x8000000000000000n); }
for (let i = 0; i < 2000; i++) { const v = Number(next() % 100000000n) / 1000; buf.setFloat64(0, v); add(buf.getBigUint64(0)); }
// decimals with 1 to 12 fraction digits and up to 16 significant digits, both signs
for (let i = 0; i < 3000; i++) {
  const k = 1 + Number(next() % 12n);
  const digits = 1 + Number(next() % 16n);
  const m = Number(next() % (10n ** BigInt(digits)));
  const v = (i % 2 ? -m : m) / Math.pow(10, k);
  buf.setFloat64(0, v); add(buf.getBigUint64(0));
}
console.log(lines.join('\n'));
