// Where onnxruntime put each node of a graph, read from its own verbose session log. At log severity
// 0 a session prints, while it is created, either
//   [V:onnxruntime:, session_state.cc:N VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [CPUExecutionProvider]. Number of nodes: 55
// or, when the graph is split between providers, one header per provider followed by its nodes:
//    Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 3
//     MatMul (node_12)
// Reading that log is the only way onnxruntime-node exposes the placement, and it is the placement
// that decides how many host<->device copies a run pays.

export interface ProviderPlacement {
  /** onnxruntime's provider name, e.g. CPUExecutionProvider, WebGpuExecutionProvider. */
  provider: string;
  count: number;
  /** "OpType (node name)" per node; empty when the log only gave the count ("All nodes placed on"). */
  nodes: string[];
}

const ALL = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const SOME = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\S.*)$/;

/** The placements of the last session whose creation `log` holds (empty when it holds none). */
export function parsePlacements(log: string): ProviderPlacement[] {
  let out: ProviderPlacement[] = [];
  let current: ProviderPlacement | null = null;
  for (const line of log.split("\n")) {
    if (line.includes("VerifyEachNodeIsAssignedToAnEp] Node placements")) {
      out = [];
      current = null;
      continue;
    }
    const all = ALL.exec(line);
    if (all) {
      out.push({ provider: all[1]!, count: Number(all[2]), nodes: [] });
      current = null;
      continue;
    }
    const some = SOME.exec(line);
    if (some) {
      current = { provider: some[1]!, count: Number(some[2]), nodes: [] };
      out.push(current);
      continue;
    }
    const node = NODE.exec(line);
    // One line may list several nodes joined by ", " (older releases) or one node per line.
    if (node && current) current.nodes.push(...node[1]!.split(/,\s+(?=\w+ \()/).map((s) => s.trim()).filter(Boolean));
  }
  return out;
}

export const CPU_PROVIDER = "CPUExecutionProvider";
