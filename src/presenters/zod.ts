/**
 * zod with OpenAPI metadata (`.openapi(…)`). The response schemas of src/presenters and the request
 * schemas of src/http are all built on this one `z`, so that the OpenAPI document
 * (src/http/openapi.ts) can name and describe them.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

/** "a, b or c": how a closed list is named in a validation message. */
export const oneOf = (values: readonly string[]): string =>
  values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
