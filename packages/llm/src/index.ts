export {
  ChatClient,
  type ChatClientOptions,
  type Completion,
  DEFAULT_PRICES,
  type LlmMessage,
  type PriceTable,
} from './client.js';
export { LlmError, type LlmErrorCode } from './errors.js';
export { type ChatRequest, type Endpoint, type EndpointOptions, openAiEndpoint } from './openai.js';
