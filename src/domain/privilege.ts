/**
 * What a user can do in the account, as keywatch classifies it from GetAccountAuthorizationDetails
 * (src/checks/privilege.ts):
 * - `admin`: allowed every action on every resource (AdministratorAccess, or any policy — attached
 *   or inline, directly or through a group — that allows `*` on `*`);
 * - `privilege_escalation`: not admin, but allowed one of the known IAM privilege-escalation actions
 *   (create keys or passwords for other users, attach or write policies, pass roles to new compute,
 *   assume any role), so it can make itself (or something it controls) more powerful;
 * - `standard`: neither, as far as the policies keywatch can read tell.
 */
export const PRIVILEGE_CLASSES = ['admin', 'privilege_escalation', 'standard'] as const;
export type PrivilegeClass = (typeof PRIVILEGE_CLASSES)[number];
