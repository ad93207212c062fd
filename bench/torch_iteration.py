#!/usr/bin/python3
"""PyTorch peer baseline for `npm run bench:engine` (CPU) and scripts/gpu-check.sh (--device cuda).

Times one full URLVR iteration, the same work the TypeScript/onnxruntime engine does per GRPO step:
  (a) KV-cache sampling of prompts*group rollouts (temperature 1.0, fixed number of new tokens,
      no EOS early stop so both engines do the same amount of work), keeping each drawn token's
      log-prob under the distribution it was drawn from: the ratio's "old" log-probs, so no
      separate scoring pass of the policy is needed;
  (b) a no-grad scoring forward of the full sequences with the frozen reference copy of the
      policy -> per-token logprob, entropy, self-certainty. With no KL loss (the default) the
      engine runs it every KL_METRIC_EVERY = 10 steps for the actor/kl_ref metric, so one
      iteration counts a tenth of it;
  (c) GRPO loss (clipped ratio, k3 KL to the reference, token-mean over response tokens, random
      advantages), backward, global-norm clip, AdamW step; with --micro-batch-tokens N the
      backward runs slice by slice as the engine's CPU update does (gradient accumulation).

Model: GPT-2 style pre-LN transformer exactly as in the engine spec (parameter names and shapes of
`paramShapes`, weights stored [in, out] so every projection is `x @ W + b`), tanh GELU, untied head.

Sequence layout: BOS, prompt_length random characters, new_tokens sampled tokens, so
T = 1 + prompt_length + new_tokens (must be <= context). All prompts of a batch have the same length,
so there is no padding and no mask beyond the causal one.

Run with Debian's interpreter (see install-torch.sh): /usr/bin/python3 torch_iteration.py --help
Any torch >= 1.13 works; with torch >= 2 attention goes through F.scaled_dot_product_attention.
Prints exactly one JSON line on stdout; progress and the self-check go to stderr.
With --device cuda every tensor and the random generator live on the GPU and each phase's time is
taken after torch.cuda.synchronize(), so it counts the kernels, not just their launches. float32
matmuls stay full float32 (PyTorch's default; no TF32), as in the engine.

Letter legend for shape comments: B batch (rollouts), T sequence length, C width, H heads,
D head size (C/H), V vocabulary, R response length.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(f"torch_iteration: {sys.executable} cannot import torch; run with /usr/bin/python3 "
             "after bench/install-torch.sh")

# torch >= 2.0 has a fused attention kernel; Debian bookworm ships 1.13, which does not.
SDPA = getattr(F, "scaled_dot_product_attention", None)

FIRST_CHAR_TOKEN = 3  # 0 PAD, 1 BOS, 2 EOS
BOS = 1
LN_EPS = 1e-5


def param_shapes(vocab, context, width, depth):
    c = width
    shapes = [("wte", (vocab, c)), ("wpe", (context, c))]
    for i in range(depth):
        p = f"h{i}."
        shapes += [
            (p + "ln1.g", (c,)), (p + "ln1.b", (c,)),
            (p + "attn.wqkv", (c, 3 * c)), (p + "attn.bqkv", (3 * c,)),
            (p + "attn.wo", (c, c)), (p + "attn.bo", (c,)),
            (p + "ln2.g", (c,)), (p + "ln2.b", (c,)),
            (p + "mlp.wfc", (c, 4 * c)), (p + "mlp.bfc", (4 * c,)),
            (p + "mlp.wproj", (4 * c, c)), (p + "mlp.bproj", (c,)),
        ]
    shapes += [("lnf.g", (c,)), ("lnf.b", (c,)), ("head", (c, vocab))]
    return shapes


def init_params(vocab, context, width, depth, generator, device="cpu"):
    """GPT-2 init, as in the spec. Returns an insertion-ordered dict name -> leaf tensor."""
    params = {}
    resid_std = 0.02 / math.sqrt(2 * depth)
    for name, shape in param_shapes(vocab, context, width, depth):
        if name.endswith(".g"):
            t = torch.ones(shape, device=device)
        elif len(shape) == 1:
            t = torch.zeros(shape, device=device)
        else:
            std = resid_std if name.endswith("attn.wo") or name.endswith("mlp.wproj") else 0.02
            t = torch.randn(shape, generator=generator, device=device) * std
        params[name] = t.requires_grad_(True)
    return params


def linear(x, w, b=None):
    # x (..., IN) @ w (IN, OUT) + b (OUT); addmm on the 2-D view is one BLAS call with the bias fused.
    x2 = x.reshape(-1, x.shape[-1])
    y = torch.mm(x2, w) if b is None else torch.addmm(b, x2, w)
    return y.view(*x.shape[:-1], w.shape[1])


def attention(q, k, v, causal):
    # q (B, H, Tq, D), k/v (B, H, Tk, D) -> (B, H, Tq, D). With causal, Tq == Tk.
    if SDPA is not None:
        return SDPA(q, k, v, is_causal=causal)
    att = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))  # (B, H, Tq, Tk)
    if causal:
        t = q.shape[-2]
        mask = torch.ones(t, t, dtype=torch.bool, device=q.device).triu_(1)
        att = att.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(att, dim=-1), v)


def decode_attention(q, k, v):
    # q (B, H, 1, D), k/v (B, H, Tk, D) -> (B, H, 1, D).
    if SDPA is not None:
        return SDPA(q, k, v)
    # Without SDPA, q @ k^T here is a bmm over B*H matrices of one row each, and a torch built
    # without MKL (Debian's) runs that as one tiny BLAS call per matrix; multiply-and-sum does the
    # same arithmetic in a few vectorised kernels (3-4x faster on the default model).
    att = (q * k).sum(-1, keepdim=True) * (1.0 / math.sqrt(q.shape[-1]))  # (B, H, Tk, 1)
    return (torch.softmax(att, dim=2) * v).sum(2, keepdim=True)


class Transformer:
    """Functional GPT over a params dict, so the policy and the frozen reference share the code."""

    def __init__(self, width, depth, heads, device="cpu"):
        assert width % heads == 0
        self.c, self.depth, self.h, self.d = width, depth, heads, width // heads
        self.device = device

    def _split_heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.d).transpose(1, 2)  # (B, H, T, D)

    def _block(self, p, i, x, attend):
        pre = f"h{i}."
        h = F.layer_norm(x, (self.c,), p[pre + "ln1.g"], p[pre + "ln1.b"], LN_EPS)
        q, k, v = linear(h, p[pre + "attn.wqkv"], p[pre + "attn.bqkv"]).split(self.c, dim=-1)
        y = attend(i, self._split_heads(q), self._split_heads(k), self._split_heads(v))
        b, _, t, _ = y.shape
        y = y.transpose(1, 2).reshape(b, t, self.c)  # (B, T, C)
        x = x + linear(y, p[pre + "attn.wo"], p[pre + "attn.bo"])
        h = F.layer_norm(x, (self.c,), p[pre + "ln2.g"], p[pre + "ln2.b"], LN_EPS)
        h = F.gelu(linear(h, p[pre + "mlp.wfc"], p[pre + "mlp.bfc"]), approximate="tanh")
        return x + linear(h, p[pre + "mlp.wproj"], p[pre + "mlp.bproj"])

    def _head(self, p, x):
        x = F.layer_norm(x, (self.c,), p["lnf.g"], p["lnf.b"], LN_EPS)
        return linear(x, p["head"])  # (B, T, V)

    def forward(self, p, tokens):
        """Full causal forward: tokens (B, T) -> logits (B, T, V)."""
        t = tokens.shape[1]
        x = p["wte"][tokens] + p["wpe"][:t]  # (B, T, C)
        for i in range(self.depth):
            x = self._block(p, i, x, lambda _i, q, k, v: attention(q, k, v, causal=True))
        return self._head(p, x)

    def new_cache(self, batch, length):
        shape = (batch, self.h, length, self.d)
        return [(torch.empty(shape, device=self.device), torch.empty(shape, device=self.device))
                for _ in range(self.depth)]

    def prefill(self, p, tokens, cache):
        """Causal forward over the prompts, filling cache[:, :, :T]; returns logits (B, V) at T-1."""
        t = tokens.shape[1]
        x = p["wte"][tokens] + p["wpe"][:t]

        def attend(i, q, k, v):
            kc, vc = cache[i]
            kc[:, :, :t].copy_(k)
            vc[:, :, :t].copy_(v)
            return attention(q, k, v, causal=True)

        for i in range(self.depth):
            x = self._block(p, i, x, attend)
        return self._head(p, x[:, -1:])[:, 0]

    def decode(self, p, token, pos, cache):
        """One new token per row at position pos: token (B,) -> logits (B, V)."""
        x = (p["wte"][token] + p["wpe"][pos]).unsqueeze(1)  # (B, 1, C)

        def attend(i, q, k, v):
            kc, vc = cache[i]
            kc[:, :, pos:pos + 1].copy_(k)
            vc[:, :, pos:pos + 1].copy_(v)
            # the single query may see every cached position, so no mask
            return decode_attention(q, kc[:, :, :pos + 1], vc[:, :, :pos + 1])

        for i in range(self.depth):
            x = self._block(p, i, x, attend)
        return self._head(p, x)[:, 0]


KL_METRIC_EVERY = 10


def sample(model, params, prompts, new_tokens, temperature, generator):
    """KV-cache sampling: prompts (B, P) -> full sequences (B, P + new_tokens) and the log-prob of
    each drawn token (B, new_tokens) under softmax(logits / temperature)."""
    b, plen = prompts.shape
    seq = torch.empty(b, plen + new_tokens, dtype=torch.long, device=prompts.device)
    seq[:, :plen] = prompts
    logprobs = torch.empty(b, new_tokens, device=prompts.device)
    cache = model.new_cache(b, plen + new_tokens)
    logits = model.prefill(params, prompts, cache)
    for j in range(new_tokens):
        logp = torch.log_softmax(logits / temperature, dim=-1)  # (B, V)
        tok = torch.multinomial(logp.exp(), 1, generator=generator)[:, 0]
        seq[:, plen + j] = tok
        logprobs[:, j] = logp.gather(-1, tok.unsqueeze(-1))[:, 0]
        if j + 1 < new_tokens:  # the last token is never fed back
            logits = model.decode(params, tok, plen + j, cache)
    return seq, logprobs


def token_stats(logits, tokens, response_start, temperature=1.0):
    """Per response token: logprob of the actual token, entropy H(p_t), self-certainty KL(U || p_t).

    logits (B, T, V) from the full sequence; position t predicts token t+1, so the response tokens
    tokens[:, response_start:] are predicted by logits[:, response_start-1:-1].
    """
    logp = torch.log_softmax(logits[:, response_start - 1:-1] / temperature, dim=-1)  # (B, R, V)
    target = tokens[:, response_start:]  # (B, R)
    logprob = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    entropy = -(logp.exp() * logp).sum(-1)
    vocab = logits.shape[-1]
    self_certainty = -math.log(vocab) - logp.mean(-1)
    return logprob, entropy, self_certainty


def score(model, params, tokens, response_start, temperature):
    with torch.inference_mode():
        return token_stats(model.forward(params, tokens), tokens, response_start, temperature)


def grpo_step(model, params, optimizer, tokens, response_start, response_mask, old_logprobs,
              ref_logprobs, advantages, clip_eps, kl_coef, max_grad_norm, temperature,
              micro_batch_tokens=None):
    """One GRPO update. With micro_batch_tokens, the batch is cut into the fewest equal slices of
    rows holding at most that many tokens each (as the engine cuts it), each slice's share of the
    token-mean loss is backpropagated on its own, the gradients accumulate, and the global norm is
    clipped once: the same update to float32 rounding."""
    optimizer.zero_grad(set_to_none=True)
    b, t = tokens.shape
    k = 1 if micro_batch_tokens is None else min(b, max(1, math.ceil(b * t / micro_batch_tokens)))
    n = response_mask.sum()
    sums = {"pg": 0.0, "kl": 0.0, "entropy": 0.0, "clip": 0.0}
    for rows in torch.tensor_split(torch.arange(b, device=tokens.device), k):
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        tok, mask = tokens[lo:hi], response_mask[lo:hi]
        logits = model.forward(params, tok)
        logp_all = torch.log_softmax(logits[:, response_start - 1:-1] / temperature, dim=-1)  # (b, R, V)
        logprob = logp_all.gather(-1, tok[:, response_start:].unsqueeze(-1)).squeeze(-1)  # (b, R)
        ratio = torch.exp(logprob - old_logprobs[lo:hi])
        adv = advantages[lo:hi].unsqueeze(1)  # (b, 1)
        pg = -torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
        d = ref_logprobs[lo:hi] - logprob
        kl = torch.exp(d) - d - 1  # k3 estimator
        pg_sum, kl_sum = (pg * mask).sum(), (kl * mask).sum()
        ((pg_sum + kl_coef * kl_sum) / n).backward()  # this slice's share of the batch's token mean
        with torch.no_grad():  # the diagnostics the engine's grpoStep reports too
            lp = logp_all.detach()
            sums["pg"] += pg_sum.item()
            sums["kl"] += kl_sum.item()
            sums["entropy"] += ((-(lp.exp() * lp).sum(-1)) * mask).sum().item()
            sums["clip"] += ((((ratio.detach() - 1).abs() > clip_eps).float()) * mask).sum().item()
    grad_norm = torch.nn.utils.clip_grad_norm_(list(params.values()), max_grad_norm)
    optimizer.step()
    n = n.item()
    return {"loss": (sums["pg"] + kl_coef * sums["kl"]) / n, "pg_loss": sums["pg"] / n, "kl": sums["kl"] / n,
            "grad_norm": float(grad_norm), "entropy": sums["entropy"] / n, "clip_frac": sums["clip"] / n}


def make_optimizer(params, lr):
    kwargs = dict(lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    try:  # one multi-tensor kernel per op instead of a Python loop over ~30 tensors
        return torch.optim.AdamW(list(params.values()), foreach=True, **kwargs)
    except TypeError:
        return torch.optim.AdamW(list(params.values()), **kwargs)


def self_check(model, params, generator):
    """The KV-cache path must give the same logits as the full forward, with SDPA and with the
    explicit attention (both when SDPA exists). Raises on mismatch."""
    global SDPA
    tokens = torch.randint(FIRST_CHAR_TOKEN, params["wte"].shape[0], (4, 9), generator=generator,
                           device=params["wte"].device)
    saved, worst, full_ref = SDPA, 0.0, None
    try:
        for sdpa in [saved, None] if saved is not None else [None]:
            SDPA = sdpa
            with torch.inference_mode():
                full = model.forward(params, tokens)  # (4, 9, V)
                cache = model.new_cache(4, 9)
                steps = [model.prefill(params, tokens[:, :5], cache)]
                for pos in range(5, 8):
                    steps.append(model.decode(params, tokens[:, pos], pos, cache))
            errs = [(torch.stack(steps, dim=1) - full[:, 4:8]).abs().max().item()]
            if full_ref is not None:
                errs.append((full - full_ref).abs().max().item())
            full_ref = full
            worst = max([worst] + errs)
            if worst > 1e-4:
                raise SystemExit(f"self-check failed (sdpa={sdpa is not None}): max abs diff {worst}")
    finally:
        SDPA = saved
    print(f"self-check ok (kv-cache vs full forward max abs diff {worst:.2e}, "
          f"sdpa={'yes' if SDPA else 'no'})", file=sys.stderr)


def micro_batch_check(model, params, generator):
    """grpo_step cut into micro-batches must give the whole-batch gradient. Raises on mismatch."""
    dev = params["wte"].device
    b, plen, new = 8, 4, 7
    tokens = torch.randint(FIRST_CHAR_TOKEN, params["wte"].shape[0], (b, 1 + plen + new), generator=generator, device=dev)
    tokens[:, 0] = BOS
    mask = (torch.rand(b, new, generator=generator, device=dev) > 0.2).float()
    old, ref = (-2 + 0.3 * torch.randn(b, new, generator=generator, device=dev) for _ in range(2))
    adv = torch.randn(b, generator=generator, device=dev)
    grads, stats = [], []
    for micro in (None, 30):  # 8 rows x 12 tokens: 30 per slice cuts them into 4 slices
        p = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        stats.append(grpo_step(model, p, make_optimizer(p, 0.0), tokens, 1 + plen, mask, old, ref, adv,
                               0.2, 0.1, 1e9, 1.0, micro))
        grads.append(torch.cat([v.grad.flatten() for v in p.values()]))
    worst = (grads[0] - grads[1]).abs().max().item() / max(grads[0].abs().max().item(), 1e-12)
    if worst > 1e-4 or abs(stats[0]["loss"] - stats[1]["loss"]) > 1e-5:
        raise SystemExit(f"micro-batch check failed: relative gradient difference {worst:.2e}, "
                         f"loss {stats[0]['loss']} against {stats[1]['loss']}")
    print(f"micro-batch check ok (relative gradient difference {worst:.2e})", file=sys.stderr)


def set_blas_threads(n):
    """Debian's torch links the system BLAS (OpenBLAS) without telling it about torch's OpenMP pool,
    so on a small machine both pools spin on the same cores. Returns the count set, or None when
    no OpenBLAS is loaded (e.g. pip wheels with MKL, which share torch's pool)."""
    with open("/proc/self/maps") as f:
        lib = next((line.split()[-1] for line in f if "libopenblas" in line), None)
    if lib is None:
        return None
    openblas = ctypes.CDLL(lib)
    openblas.openblas_set_num_threads(n)
    return openblas.openblas_get_num_threads()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vocab", type=int, default=40)
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--group", type=int, default=8, help="rollouts per prompt")
    ap.add_argument("--prompt-length", type=int, default=10, help="prompt chars, BOS not counted")
    ap.add_argument("--new-tokens", type=int, default=24)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=5, help="measured iterations")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="OpenBLAS threads, when torch uses OpenBLAS (see set_blas_threads)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--clip-eps", type=float, default=0.2)
    ap.add_argument("--kl-coef", type=float, default=0.001)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--micro-batch-tokens", type=int, default=None,
                    help="cut the update into slices of at most this many tokens (default: one pass)")
    ap.add_argument("--compile", action="store_true",
                    help="wrap the full forward in torch.compile (torch >= 2, needs a C compiler)")
    ap.add_argument("--no-check", action="store_true", help="skip the KV-cache self-check")
    a = ap.parse_args(argv)
    if 1 + a.prompt_length + a.new_tokens > a.context:
        ap.error("1 + prompt-length + new-tokens must be <= context")
    if a.vocab <= FIRST_CHAR_TOKEN or a.width % a.heads or a.iterations < 1 or a.new_tokens < 1:
        ap.error("need vocab > 3, width divisible by heads, iterations >= 1, new-tokens >= 1")
    return a


def main(argv=None):
    a = parse_args(argv)
    if a.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"--device cuda: torch {torch.__version__} sees no CUDA device")
    dev = torch.device(a.device)

    def sync():  # CUDA kernels run asynchronously: wait for them before reading the clock
        if dev.type == "cuda":
            torch.cuda.synchronize()

    torch.set_num_threads(a.threads)
    blas_threads = set_blas_threads(a.blas_threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator(device=dev).manual_seed(a.seed)

    model = Transformer(a.width, a.depth, a.heads, dev)
    params = init_params(a.vocab, a.context, a.width, a.depth, gen, dev)
    reference = {k: v.detach().clone() for k, v in params.items()}  # frozen, never updated
    optimizer = make_optimizer(params, a.lr)
    if not a.no_check:
        self_check(model, params, gen)
        micro_batch_check(model, params, gen)
    if a.compile:
        if not hasattr(torch, "compile"):
            raise SystemExit(f"--compile: torch {torch.__version__} has no torch.compile")
        model.forward = torch.compile(model.forward, dynamic=False)

    b = a.prompts * a.group
    response_start = 1 + a.prompt_length
    n_params = sum(p.numel() for p in params.values())
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"openblas threads {blas_threads}, {n_params} parameters, "
          f"B={b}, T={response_start + a.new_tokens}", file=sys.stderr)

    times = {"total": [], "sample": [], "score": [], "update": []}
    for it in range(a.warmup + a.iterations):
        sync()
        t0 = time.perf_counter()
        # (a) the same prompt is shared by its group of rollouts, as in GRPO
        chars = torch.randint(FIRST_CHAR_TOKEN, a.vocab, (a.prompts, a.prompt_length), generator=gen,
                              device=dev)
        prompts = torch.cat([torch.full((a.prompts, 1), BOS, dtype=torch.long, device=dev), chars], dim=1)
        prompts = prompts.repeat_interleave(a.group, dim=0)  # (B, 1 + prompt_length)
        with torch.inference_mode():
            tokens, old_logprob = sample(model, params, prompts, a.new_tokens, a.temperature, gen)
        tokens, old_logprob = tokens.clone(), old_logprob.clone()  # inference tensors cannot be saved for the backward
        sync()
        t1 = time.perf_counter()
        # (b) reference scoring (a tenth of it counts: see the docstring)
        ref_logprob, _, _ = score(model, reference, tokens, response_start, a.temperature)
        sync()
        t2 = time.perf_counter()
        # (c) one GRPO update; no EOS stop, so every response token is valid
        response_mask = torch.ones(b, a.new_tokens, device=dev)
        advantages = torch.randn(b, generator=gen, device=dev)
        stats = grpo_step(model, params, optimizer, tokens, response_start, response_mask,
                          old_logprob, ref_logprob.clone(), advantages,
                          a.clip_eps, a.kl_coef, a.max_grad_norm, a.temperature, a.micro_batch_tokens)
        sync()
        t3 = time.perf_counter()
        total = (t1 - t0) + (t2 - t1) / KL_METRIC_EVERY + (t3 - t2)
        label = "warmup" if it < a.warmup else "iter"
        print(f"{label} {it}: total {total:.3f}s sample {t1 - t0:.3f}s reference score {t2 - t1:.3f}s "
              f"update {t3 - t2:.3f}s loss {stats['loss']:.4f} kl {stats['kl']:.2e} "
              f"grad_norm {stats['grad_norm']:.3f}", file=sys.stderr)
        if it >= a.warmup:
            for k, v in zip(("total", "sample", "score", "update"), (total, t1 - t0, t2 - t1, t3 - t2)):
                times[k].append(v)

    med = {k: statistics.median(v) for k, v in times.items()}
    seq_len = response_start + a.new_tokens
    print(json.dumps({
        "impl": f"pytorch-{a.device}",
        "gpu": torch.cuda.get_device_name(0) if dev.type == "cuda" else None,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seconds_per_iteration": med["total"],
        "sample_seconds": med["sample"],
        "score_seconds": med["score"],  # one reference scoring pass (a tenth of it is in the total)
        "update_seconds": med["update"],
        "new_tokens_per_second": b * a.new_tokens / med["sample"],
        "train_tokens_per_second": b * seq_len / med["update"],  # all B*T tokens fwd+bwd
        "iterations": a.iterations,
        "config": {"vocab": a.vocab, "context": a.context, "width": a.width, "depth": a.depth,
                   "heads": a.heads, "prompts": a.prompts, "group": a.group,
                   "prompt_length": a.prompt_length, "new_tokens": a.new_tokens,
                   "seq_len": seq_len, "params": n_params, "warmup": a.warmup,
                   "blas_threads": blas_threads, "sdpa": SDPA is not None, "compile": a.compile,
                   "micro_batch_tokens": a.micro_batch_tokens},
    }))


if __name__ == "__main__":
    main()
