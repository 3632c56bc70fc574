/**
 * The built-in IAM simulator: account model (users, keys, passwords, MFA, SSH keys, signing
 * certificates, service-specific credentials, groups, policies, roles), AWS Organizations of several
 * accounts, seeded generators, the credential report, and the server speaking IAM and STS (Query
 * protocol) and Organizations (JSON 1.1).
 */
export {
  DAY_MS,
  MAX_KEYS_PER_USER,
  SERVICE_SPECIFIC_SERVICES,
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
  PolicyDocument,
  PolicyStatement,
  Rng,
  SimAccessKey,
  SimAccount,
  SimGroup,
  SimInlinePolicy,
  SimLoginProfile,
  SimManagedPolicy,
  SimPasswordPolicy,
  SimPolicyVersion,
  SimRole,
  SimRoleTrust,
  SimRoot,
  SimServiceName,
  SimServiceSpecificCredential,
  SimSigningCertificate,
  SimSshPublicKey,
  SimStatus,
  SimUser,
} from './model';
export {
  MAX_CERTIFICATES_PER_USER,
  MAX_SERVICE_CREDENTIALS_PER_SERVICE,
  MAX_SSH_KEYS_PER_USER,
  addServiceSpecificCredential,
  addSigningCertificate,
  addSshPublicKey,
  addUnassignedVirtualMfaDevice,
  rootVirtualMfaSerial,
} from './user-credentials';
export {
  AWS_MANAGED_POLICIES,
  AWS_MANAGED_POLICY_ARN,
  addGroup,
  addUserToGroup,
  allowDocument,
  attachGroupPolicy,
  attachUserPolicy,
  awsManagedPolicy,
  createPolicy,
  createPolicyVersion,
  customerPolicyArn,
  detachUserPolicy,
  findGroup,
  getGroup,
  groupArn,
  putGroupPolicy,
  putUserPolicy,
  removeUserFromGroup,
} from './policies';
export type { AwsManagedPolicy } from './policies';
export { addRole, findRole, getRole, roleArn, setRoleTrust, trustPolicyDocument } from './roles';
export type { AddRoleOptions } from './roles';
export {
  ACCOUNT_STATUSES,
  addOrgAccount,
  createOrganization,
  findOrgAccount,
  managementAccount,
  orgAccountArn,
  organizationArn,
  removeOrgAccount,
} from './organization';
export type { OrgAccountInput, SimAccountStatus, SimOrgAccount, SimOrganization } from './organization';
export { assumedRoleArn } from './sessions';
export { BOUNDARY_KEY_AGES, churnAccount, evolveAccount, generateAccount } from './generate';
export type { EvolveOptions, GenerateOptions } from './generate';
export { GENERATED_GROUPS, GENERATED_INLINE_POLICIES, GENERATED_POLICIES } from './generate-surface';
export { evolveOrganization, generateOrganization } from './generate-organization';
export type { EvolveOrganizationOptions, GenerateOrganizationAccount, GenerateOrganizationOptions } from './generate-organization';
export { CREDENTIAL_REPORT_COLUMNS, ROOT_ACCOUNT_USER, buildCredentialReport, reportDate } from './credential-report';
export type { CredentialReportOptions } from './credential-report';
export { accountSummary } from './actions';
export { startSimulator } from './server';
export type { SimFault, SimulatorHandle, SimulatorOptions, SimulatorStats } from './server';
