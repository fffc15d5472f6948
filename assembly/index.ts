// The one export list of the release build: every wasm export, grouped by family. The ABI (naming grammar,
// argument order, memory contract) is in assembly/README.md; bindings/runtime/kernels.ts holds the same list as a table,
// and tests/kernels/kernel_table.test.ts fails when the two differ.

// runtime
export { heap_base, variant_id } from './abi';

// gemm: one blocked driver (gemm/driver.ts) behind every entry; B packed once by pack_b_f32
export { gemm_f32, gemm_f32_trans_b, gemm_f32_packed_b, gemm_f32_batched, gemm_f32_ref } from './gemm/gemm_f32';
export { gemm_scratch_size_f32 } from './gemm/driver';
export { gemm_set_tiles } from './gemm/tiles';
export { packed_b_size_f32, pack_b_f32 } from './gemm/packing';

// softmax
export { softmax_rows_f32, softmax_rows_f32_ref } from './softmax/softmax_rows_f32';

// norm
export { layernorm_f32, layernorm_f32_ref } from './norm/layernorm_f32';

// elementwise
export { exp_f32, exp_f32_ref } from './elementwise/exp_f32';
export { tanh_f32, tanh_f32_ref } from './elementwise/tanh_f32';
export { relu_f32, relu_f32_ref } from './elementwise/relu_f32';
export { gelu_f32, gelu_f32_ref } from './elementwise/gelu_f32';
export { gelu_tanh_f32, gelu_tanh_f32_ref } from './elementwise/gelu_tanh_f32';
export { add_f32, add_f32_ref } from './elementwise/add_f32';

// attention
export { additive_scores_f32, additive_scores_f32_ref } from './attention/additive_scores_f32';
export { sdpa_f32, sdpa_f32_ref, sdpa_scratch_size_f32 } from './attention/sdpa_f32';

// rnn: GRU / LSTM steps (hidden product + gates fused, W_hh packed gate-interleaved) and sigmoid
export { gru_step_f32, gru_step_f32_ref, lstm_step_f32, lstm_step_f32_ref, rnn_step_scratch_size_f32 } from './rnn/rnn_step_f32';
export { sigmoid_f32, sigmoid_f32_ref } from './rnn/sigmoid_f32';
