/**
 * Is the root user's MFA device virtual? ListVirtualMFADevices (AssignmentStatus Assigned) lists
 * every virtual device assigned to a user of the account, root's among them (User.Arn is the root
 * ARN, arn:aws:iam::ACCOUNT:root); a hardware device is never listed there. One call for up to
 * 1,000 assigned devices; the listing stops at the page where root's device is found.
 */
import { paginateListVirtualMFADevices } from '@aws-sdk/client-iam';
import type { IamGateway } from './iam-gateway';

/** As many devices per page as IAM allows: one call in all but the largest accounts. */
export const VIRTUAL_MFA_PAGE_SIZE = 1000;

/** arn:aws:iam::123456789012:root, in any partition (aws, aws-cn, aws-us-gov, …). */
const ROOT_ARN = /^arn:[^:]+:iam::\d{12}:root$/;

/** The serial number of root's virtual MFA device; null when none is assigned to root. */
export async function findRootVirtualMfaSerial(gateway: IamGateway): Promise<string | null> {
  const pages = paginateListVirtualMFADevices({ client: gateway.iamClient(), pageSize: VIRTUAL_MFA_PAGE_SIZE }, { AssignmentStatus: 'Assigned' });
  for await (const page of pages) {
    const root = (page.VirtualMFADevices ?? []).find((d) => d.User?.Arn !== undefined && ROOT_ARN.test(d.User.Arn));
    if (root) return root.SerialNumber ?? null;
  }
  return null;
}
