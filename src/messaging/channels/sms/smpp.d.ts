/**
 * The part of the `smpp` package (0.5.1, no types of its own) that the SMS channel and its test peer use.
 * PDU fields are the SMPP specification's names; a PDU carries whatever fields its command has.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface ShortMessage {
    udh?: Buffer[];
    message: string | Buffer;
  }

  export class PDU {
    constructor(command: string, options?: Record<string, unknown>);
    /** Decodes a PDU from its octets. */
    constructor(buffer: Buffer);
    toBuffer(): Buffer;
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: any;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export class Session extends EventEmitter {
    socket: Socket;
    server?: Server;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, callback?: ResponseCallback): boolean;
    submit_sm(options: Record<string, unknown>, callback?: ResponseCallback): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: ResponseCallback): boolean;
    enquire_link(options?: Record<string, unknown> | ResponseCallback, callback?: ResponseCallback): boolean;
    unbind(options?: Record<string, unknown> | ResponseCallback, callback?: ResponseCallback): boolean;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export function connect(
    options: { url?: string; host?: string; port?: number; tls?: boolean; [option: string]: unknown },
    listener?: () => void,
  ): Session;
  export function createServer(listener?: (session: Session) => void): Server;

  export const encodings: {
    ASCII: { encode(value: string): Buffer; decode(value: Buffer): string };
    UCS2: { encode(value: string): Buffer; decode(value: Buffer): string };
    default: string;
  };

  export const ESME_ROK: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RSYSERR: number;
}
