// Checks of parameters that arrive untyped from the network.
import { BerthError } from '../errors.js';

export type Params = Record<string, unknown>;

export function str(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') throw new BerthError('invalid_argument', `parameter "${key}" must be a non-empty string`);
  return v;
}

export function optStrings(params: Params, key: string): string[] | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new BerthError('invalid_argument', `parameter "${key}" must be a list of strings`);
  return v as string[];
}

export function optString(params: Params, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BerthError('invalid_argument', `parameter "${key}" must be a string`);
  return v;
}

export function optNumber(params: Params, key: string): number | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BerthError('invalid_argument', `parameter "${key}" must be a number`);
  return v;
}

export function optBool(params: Params, key: string): boolean | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new BerthError('invalid_argument', `parameter "${key}" must be true or false`);
  return v;
}

export function optStringMap(params: Params, key: string): Record<string, string> | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new BerthError('invalid_argument', `parameter "${key}" must be a map of strings`);
  }
  return v as Record<string, string>;
}

export function optFilters(params: Params, key: string): Record<string, string[]> | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => Array.isArray(x) && x.every((y) => typeof y === 'string'))) {
    throw new BerthError('invalid_argument', `parameter "${key}" must map filter names to lists of values`);
  }
  return v as Record<string, string[]>;
}
