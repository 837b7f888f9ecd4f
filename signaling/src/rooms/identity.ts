/** Who someone is across joins: the browser's device id and, when signed in, the account. */
export interface Identity {
  deviceId?: string | undefined;
  userId?: string | undefined;
}
