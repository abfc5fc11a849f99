import { z } from 'zod';

/** An OpenAI function tool call, as chat-completions returns it. */
export const ToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof ToolCall>;

/** One OpenAI chat message (system, user, assistant with optional tool calls, or a tool result). */
export const ChatMessage = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable(),
  tool_calls: z.array(ToolCall).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Token-level data a policy server may return, passed through for RL trainers. */
export const TokenTrace = z.object({
  /** Index of the assistant message in `messages` this trace belongs to. */
  message_index: z.number().int().nonnegative(),
  token_ids: z.array(z.number().int()).optional(),
  logprobs: z.array(z.number()).optional(),
});
export type TokenTrace = z.infer<typeof TokenTrace>;

/** Why an episode ended. */
export const StopReason = z.enum(['finish', 'max_turns', 'token_budget', 'error', 'aborted']);
export type StopReason = z.infer<typeof StopReason>;

/** One agent episode on one instance: the conversation, its final patch, its reward and metadata. */
export const Trajectory = z.looseObject({
  instance_id: z.string(),
  sample_index: z.number().int().nonnegative().default(0),
  messages: z.array(ChatMessage),
  tools: z.array(z.unknown()).optional(),
  model_patch: z.string().nullable().default(null),
  reward: z.number().nullable().default(null),
  resolved: z.boolean().optional(),
  stop_reason: StopReason.optional(),
  error: z.string().optional(),
  policy_version: z.union([z.string(), z.number()]).optional(),
  token_traces: z.array(TokenTrace).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type Trajectory = z.infer<typeof Trajectory>;
