/** Where the gateway logs (the SFU's log shape, so the server passes one logger to both). */
export interface GatewayLog {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}
