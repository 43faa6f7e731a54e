/**
 * @module exposition/protobuf-wire
 * Reading protobuf fields in place, for the merge of many instances' bodies: a cursor that steps
 * from field to field of one message and says where each lies, without copying or decoding a value
 * nobody asks for, and a writer that fills one buffer of a size known in advance. `@bufbuild/protobuf`'s
 * reader and writer (generators, forks, a string decoded per field) cost the `/metrics` merge of
 * 1,000 protobuf bodies 660 ms (bench/exposition.ts); walking them in place is what makes it
 * affordable.
 */

/** Wire types metrics.proto uses (groups, 3 and 4, are not read). */
export const VARINT = 0
export const BIT64 = 1
export const LEN = 2
export const BIT32 = 5

/**
 * The fields of one message in `buf[from, limit)`, one per {@link next}: `field`, `wire`, the
 * whole field at `[start, end)` and its value at `[valueStart, end)` (a length-delimited field's
 * content, without the length). Throws where the message is not well-formed.
 */
export class FieldCursor {
  field = 0
  wire = 0
  start = 0
  valueStart = 0
  end = 0
  pos: number

  constructor(
    readonly buf: Uint8Array,
    from = 0,
    readonly limit = buf.byteLength,
  ) {
    this.pos = from
  }

  /** Steps to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false
    this.start = this.pos
    const tag = this.varint()
    this.field = Math.floor(tag / 8)
    this.wire = tag % 8
    if (this.field === 0) throw new Error('illegal tag: field number 0')
    if (this.wire === VARINT) {
      this.valueStart = this.pos
      this.varint()
    } else if (this.wire === LEN) {
      const length = this.varint()
      this.valueStart = this.pos
      this.pos += length
    } else if (this.wire === BIT64 || this.wire === BIT32) {
      this.valueStart = this.pos
      this.pos += this.wire === BIT64 ? 8 : 4
    } else throw new Error(`field ${this.field}: wire type ${this.wire} is not read`)
    if (this.pos > this.limit) throw new Error(`field ${this.field} runs past the end of its message`)
    this.end = this.pos
    return true
  }

  /** The varint at the cursor (exact up to 2^53), the cursor after it. */
  varint(): number {
    let value = 0
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      if (this.pos >= this.limit) throw new Error('a varint is cut short')
      const byte = this.buf[this.pos++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
    }
    throw new Error('a varint is longer than 10 bytes')
  }

  /** The current field's value read as a varint (a VARINT field). */
  varintValue(): number {
    return new FieldCursor(this.buf, this.valueStart, this.end).varint()
  }

  /** A cursor over the current field's value, a message. */
  inner(): FieldCursor {
    return new FieldCursor(this.buf, this.valueStart, this.end)
  }
}

/** How many bytes `n` takes as a varint. */
export function varintLength(n: number): number {
  let length = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    length++
  }
  return length
}

/** Writes into one buffer of a size counted beforehand. */
export class ExactWriter {
  readonly out: Uint8Array
  pos = 0

  constructor(size: number) {
    this.out = new Uint8Array(size)
  }

  varint(n: number): this {
    while (n >= 128) {
      this.out[this.pos++] = (n % 128) | 0x80
      n = Math.floor(n / 128)
    }
    this.out[this.pos++] = n
    return this
  }

  bytes(b: Uint8Array): this {
    this.out.set(b, this.pos)
    this.pos += b.byteLength
    return this
  }

  /** The buffer, which must be full. */
  done(): Uint8Array {
    if (this.pos !== this.out.byteLength) throw new Error(`wrote ${this.pos} of ${this.out.byteLength} bytes`)
    return this.out
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Whether `buf[start, end)` is UTF-8 (ASCII checked in place, anything else by the decoder). */
export function isUtf8(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      try {
        strictUtf8.decode(buf.subarray(i, end))
        return true
      } catch {
        return false
      }
    }
  }
  return true
}

/** Bytewise order of `a[as, ae)` and `b[bs, be)` (how Go and Prometheus order label names). */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs)
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!
    if (d !== 0) return d
  }
  return ae - as - (be - bs)
}
