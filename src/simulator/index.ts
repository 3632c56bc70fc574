/** The built-in IAM simulator: account model, seeded generator, credential report and Query-protocol server. */
export {
  DAY_MS,
  MAX_KEYS_PER_USER,
  addAccessKey,
  addMfaDevice,
  addRootAccessKey,
  addUser,
  daysBefore,
  deleteAccessKey,
  emptyAccount,
  findAccessKey,
  findUser,
  getUser,
  mulberry32,
  rootArn,
  setLoginProfile,
  userArn,
} from './model';
export type {
  AddAccessKeyOptions,
  AddUserOptions,
  Rng,
  SimAccessKey,
  SimAccount,
  SimLoginProfile,
  SimPasswordPolicy,
  SimRoot,
  SimUser,
} from './model';
export { BOUNDARY_KEY_AGES, evolveAccount, generateAccount } from './generate';
export type { EvolveOptions, GenerateOptions } from './generate';
export { CREDENTIAL_REPORT_COLUMNS, ROOT_ACCOUNT_USER, buildCredentialReport, reportDate } from './credential-report';
export { accountSummary } from './actions';
export { startSimulator } from './server';
export type { SimFault, SimulatorHandle, SimulatorOptions, SimulatorStats } from './server';
