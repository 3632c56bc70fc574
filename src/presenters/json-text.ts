/**
 * JSON already serialised by a presenter, typed with the shape it holds. Large answers (a diff of
 * tens of thousands of findings) are written as text instead of being built as objects and
 * serialised again; the brand keeps them typed like any other body: a route that declares a
 * response schema accepts only JSON text of that schema's type (src/http/define-route.ts), and in
 * tests the text is parsed and checked against the schema like any other body.
 */
declare const shape: unique symbol;

export type JsonText<T> = string & { readonly [shape]: T };

/** Marks text a presenter wrote as JSON of type T (the presenter is responsible for the shape). */
export const asJsonText = <T>(text: string): JsonText<T> => text as JsonText<T>;
