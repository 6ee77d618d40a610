/** One spelling per address, so sign-in, sign-up and invitations find the same account. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
