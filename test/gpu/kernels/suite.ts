// Every kernel's conformance cases, in one list every runtime runs.
import { addCases } from './add.case.ts';
import type { KernelCase } from './case.ts';

export const kernelSuite: KernelCase[] = [...addCases];
