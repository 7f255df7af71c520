"""Counter-network measures on a large graph: networkx against igraph, and the sampled
betweenness estimate's error.

Builds a 20,000-entity, 100,000-link graph (Barabasi-Albert, m = 5, topped up with
random links to exactly 100,000: hubs like a real call graph) and times, in the same
process:

- exact node betweenness in igraph (``olfato.network.betweenness.node_betweenness``'s
  engine for large graphs), run once in full;
- exact node betweenness in networkx: Brandes' algorithm is one single-source pass per
  entity, so networkx runs ``--nx-sources`` of those passes (``betweenness_centrality(k=)``,
  the very same code path) and the full time is extrapolated as time x n / sources; igraph
  runs the same sources too (subset betweenness) for a like-for-like ratio. ``--nx-full``
  times networkx on every source instead (hours on a shared 2-core machine);
- communities: Leiden (leidenalg on igraph; 2 iterations, ``leiden``'s and leidenalg's
  default, and until stable) against networkx's Louvain (networkx has no
  Leiden of its own: ``nx.community.leiden_communities`` only dispatches to other
  backends), with each partition's modularity;
- the sampled betweenness estimate (``approximate``) against the exact values, for a few
  sample sizes: median and 90th-percentile relative error of the top 100 entities,
  Spearman rank correlation over all, overlap of the top 10 and top 100.

Times are the process's CPU seconds (``--wall`` for the wall clock): both engines run on
one thread, and on a shared machine the wall clock mostly measures the neighbours.

Run: ``.venv/bin/python benchmarks/network.py [--nodes N] [--edges M] [--nx-sources K]``.
"""

from __future__ import annotations

import argparse
import random
import time

import networkx as nx
import numpy as np
from scipy.stats import spearmanr

from olfato.network.betweenness import node_betweenness
from olfato.network.communities import leiden
from olfato.network.igraph_graph import to_igraph


def make_graph(n: int, m: int, seed: int = 0) -> nx.Graph:
    """Barabasi-Albert with about m / n links per entity, topped up to exactly m links."""
    g = nx.barabasi_albert_graph(n, max(1, m // n), seed=seed)
    rng = random.Random(seed)
    while g.number_of_edges() < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            g.add_edge(u, v)
    return g


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result, seconds): CPU seconds of this process, which on a shared machine measure
    single-threaded code better than the wall clock (both engines run on one thread);
    ``--wall`` switches to the wall clock."""
    clock = time.perf_counter if WALL else time.process_time
    t = clock()
    out = fn(*args, **kwargs)
    return out, clock() - t


WALL = False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=20_000)
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--nx-sources", type=int, default=200, help="networkx sources timed")
    ap.add_argument("--nx-full", action="store_true", help="time networkx on every source")
    ap.add_argument("--samples", default="200,1000,4000", help="sample sizes of the estimate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wall", action="store_true", help="wall-clock instead of CPU seconds")
    a = ap.parse_args()
    global WALL
    WALL = a.wall
    print(f"times are {'wall-clock' if WALL else 'CPU'} seconds of this process")

    # warm up: the first call imports igraph and leidenalg (seconds), not part of a measure
    node_betweenness(nx.path_graph(600), engine="igraph")
    leiden(nx.path_graph(10))
    g, t_make = timed(make_graph, a.nodes, a.edges, a.seed)
    n, m = g.number_of_nodes(), g.number_of_edges()
    print(f"graph: {n} entities, {m} links (Barabasi-Albert + random top-up), {t_make:.1f} s")
    pairs = (n - 1) * (n - 2) / 2

    # --- exact betweenness -------------------------------------------------------------
    exact_b, t_ig = timed(node_betweenness, g, approximate_above=n, engine="igraph")
    exact = exact_b.values
    h, nodes = to_igraph(g)
    k = n if a.nx_full else min(a.nx_sources, n)
    sources = random.Random(a.seed).sample(range(n), k)
    _, t_ig_k = timed(h.betweenness, sources=sources)
    if a.nx_full:
        nx_vals, t_nx = timed(nx.betweenness_centrality, g, normalized=True)
        t_nx_full, how = t_nx, "measured"
        diff = max(abs(nx_vals[v] - exact[v]) for v in g)
        print(f"networkx vs igraph exact: largest difference {diff:.2e}")
    else:
        _, t_nx = timed(nx.betweenness_centrality, g, k=k, normalized=True, seed=a.seed)
        t_nx_full, how = t_nx * n / k, f"extrapolated from {k} sources x {n}/{k}"
    print()
    print("exact node betweenness")
    print(f"{'engine':<34}{'time [s]':>12}")
    print(f"{'igraph (C), full':<34}{t_ig:>12.1f}")
    print(f"{'igraph, ' + str(k) + ' sources':<34}{t_ig_k:>12.2f}")
    print(f"{'networkx, ' + str(k) + ' sources':<34}{t_nx:>12.2f}")
    print(f"{'networkx, full (' + how.split(' ')[0] + ')':<34}{t_nx_full:>12.0f}")
    print(f"ratio networkx / igraph, same {k} sources: {t_nx / t_ig_k:.1f}x")
    print(f"ratio networkx (full, {how}) / igraph (full, measured): {t_nx_full / t_ig:.1f}x")

    # --- communities ---------------------------------------------------------------------
    com, t_leiden = timed(leiden, g, seed=a.seed, iterations=-1)
    com2, t_leiden2 = timed(leiden, g, seed=a.seed)
    louvain, t_louvain = timed(nx.community.louvain_communities, g, seed=a.seed, weight=None)
    q_louvain = nx.community.modularity(g, louvain, weight=None)
    print()
    print("communities")
    print(f"{'method':<34}{'time [s]':>12}{'communities':>14}{'modularity':>12}")
    name = "Leiden, until stable"
    print(f"{name:<34}{t_leiden:>12.2f}{com.count:>14}{com.modularity:>12.4f}")
    name = "Leiden, 2 iterations (default)"
    print(f"{name:<34}{t_leiden2:>12.2f}{com2.count:>14}{com2.modularity:>12.4f}")
    print(f"{'Louvain (networkx)':<34}{t_louvain:>12.2f}{len(louvain):>14}{q_louvain:>12.4f}")
    print(
        f"ratio networkx Louvain / Leiden: {t_louvain / t_leiden:.2f}x (until stable), "
        f"{t_louvain / t_leiden2:.2f}x (2 iterations)"
    )

    # --- sampled estimate ------------------------------------------------------------------
    ex = np.array([exact[v] for v in nodes])
    top100 = np.argsort(-ex)[:100]
    top10 = set(top100[:10].tolist())
    print()
    print("sampled betweenness (igraph subset betweenness from random sources, x n/samples)")
    print(
        f"{'samples':>8}{'time [s]':>10}{'median rel err top100':>23}"
        f"{'p90 rel err top100':>20}{'Spearman all':>14}{'top10 kept':>12}{'top100 kept':>13}"
    )
    for s in (int(x) for x in a.samples.split(",")):
        if s >= n:
            continue
        est, t_est = timed(
            node_betweenness, g, approximate_above=0, samples=s, seed=a.seed + 1, engine="igraph"
        )
        assert est.approximate
        es = np.array([est.values[v] for v in nodes])
        rel = np.abs(es[top100] - ex[top100]) / ex[top100]
        rho = spearmanr(es, ex).statistic
        est_top100 = np.argsort(-es)[:100]
        kept10 = len(top10 & set(est_top100[:10].tolist()))
        kept100 = len(set(top100.tolist()) & set(est_top100.tolist()))
        print(
            f"{s:>8}{t_est:>10.2f}{np.median(rel):>23.3f}{np.quantile(rel, 0.9):>20.3f}"
            f"{rho:>14.3f}{kept10:>12}{kept100:>13}"
        )
    print(
        f"\n(normalised betweenness = raw / {pairs:.3g} pairs; largest exact value {ex.max():.4f})"
    )


if __name__ == "__main__":
    main()
