// The model package's public surface: configuration and parameters, and the Policy that runs the
// scorer, train-step and sampler graphs.

export { BOS, EOS, LN_EPS, PAD, type ModelConfig, type Params, type UniformSource, numel, paramCount, paramShapes } from "./config";
export { initParams } from "./init";
export {
  type CeResult, type GraphKind, type GrpoBatch, type GrpoOptions, type GrpoResult, Policy, type PolicyOptions, type SampleOptions, type TokenScores,
  createPolicySession,
} from "./policy";
