// Reads a flattened device tree (DTB) into nodes and properties, so pilot can check what QEMU generated and what the overlays produced.

export interface FdtNode {
  /** Node name with unit address, e.g. "smmuv3@9050000"; "" for the root. */
  name: string;
  /** Full path, e.g. "/pcie@10000000/remoteproc@10,0". */
  path: string;
  props: Map<string, Buffer>;
  children: FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

const align4 = (n: number) => (n + 3) & ~3;

/** Parses a DTB; throws with the reason when the blob is not one. */
export function parseFdt(blob: Buffer): FdtNode {
  if (blob.length < 40 || blob.readUInt32BE(0) !== FDT_MAGIC) throw new Error('not a flattened device tree (bad magic)');
  const totalSize = blob.readUInt32BE(4);
  const structOff = blob.readUInt32BE(8);
  const stringsOff = blob.readUInt32BE(12);
  if (totalSize > blob.length) throw new Error(`device tree is truncated: header says ${totalSize} bytes, have ${blob.length}`);

  const stringAt = (offset: number) => {
    const start = stringsOff + offset;
    const end = blob.indexOf(0, start);
    return blob.toString('latin1', start, end);
  };

  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let at = structOff;
  for (;;) {
    if (at + 4 > totalSize) throw new Error('device tree structure block runs past the end');
    const token = blob.readUInt32BE(at);
    at += 4;
    if (token === FDT_BEGIN_NODE) {
      const end = blob.indexOf(0, at);
      const name = blob.toString('latin1', at, end);
      at = align4(end + 1);
      const parent = stack.at(-1);
      const path = parent ? (parent.path === '/' ? `/${name}` : `${parent.path}/${name}`) : '/';
      const node: FdtNode = { name, path, props: new Map(), children: [] };
      if (parent) parent.children.push(node);
      else root = node;
      stack.push(node);
    } else if (token === FDT_END_NODE) {
      if (!stack.pop()) throw new Error('unbalanced end of node');
    } else if (token === FDT_PROP) {
      const len = blob.readUInt32BE(at);
      const nameOff = blob.readUInt32BE(at + 4);
      const node = stack.at(-1);
      if (!node) throw new Error('property outside any node');
      node.props.set(stringAt(nameOff), Buffer.from(blob.subarray(at + 8, at + 8 + len)));
      at = align4(at + 8 + len);
    } else if (token === FDT_NOP) {
      continue;
    } else if (token === FDT_END) {
      break;
    } else {
      throw new Error(`unknown structure token ${token}`);
    }
  }
  if (!root || stack.length) throw new Error('device tree structure is unbalanced');
  return root;
}

export function* walk(node: FdtNode): Generator<FdtNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  if (path === '/') return root;
  let node: FdtNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node.children.find((child) => child.name === part);
    if (!node) return undefined;
  }
  return node;
}

export function propStrings(node: FdtNode, name: string): string[] | undefined {
  const value = node.props.get(name);
  if (value === undefined) return undefined;
  return value.toString('latin1').split('\0').slice(0, -1);
}

export function propString(node: FdtNode, name: string): string | undefined {
  return propStrings(node, name)?.[0];
}

export function propCells(node: FdtNode, name: string): number[] | undefined {
  const value = node.props.get(name);
  if (value === undefined) return undefined;
  const cells: number[] = [];
  for (let at = 0; at + 4 <= value.length; at += 4) cells.push(value.readUInt32BE(at));
  return cells;
}

export function phandleOf(node: FdtNode): number | undefined {
  return propCells(node, 'phandle')?.[0] ?? propCells(node, 'linux,phandle')?.[0];
}

export function isCompatible(node: FdtNode, compatible: string): boolean {
  return propStrings(node, 'compatible')?.includes(compatible) ?? false;
}

/** Combines big-endian cells into numbers, e.g. a 2-cell address. */
export function cellsToNumber(cells: number[]): number {
  return cells.reduce((acc, cell) => acc * 0x1_0000_0000 + cell, 0);
}

/** The (address, size) pairs of a node's reg, read with its parent's #address-cells/#size-cells. */
export function regions(parent: FdtNode, node: FdtNode): Array<{ base: number; size: number }> {
  const addressCells = propCells(parent, '#address-cells')?.[0] ?? 2;
  const sizeCells = propCells(parent, '#size-cells')?.[0] ?? 1;
  const reg = propCells(node, 'reg') ?? [];
  const out: Array<{ base: number; size: number }> = [];
  const step = addressCells + sizeCells;
  for (let i = 0; step > 0 && i + step <= reg.length; i += step) {
    out.push({ base: cellsToNumber(reg.slice(i, i + addressCells)), size: cellsToNumber(reg.slice(i + addressCells, i + step)) });
  }
  return out;
}
