/** Settings are read by the one settings reader (src/game/settings.ts). */
export { parseStrictInt } from '../game/settings.ts';
export { type ConnectOptions, connectFramed, isLoopback, parseHostPort } from './client.ts';
export { type CloseReason, Connection, type ConnectionHandlers, type ConnectionOptions } from './connection.ts';
export {
  delimitedFramer,
  FrameError,
  type FrameErrorKind,
  type Framer,
  type FrameSink,
  lengthFramer,
  lineFramer,
  textLineFramer,
} from './framing.ts';
export { TcpServer, type TcpServerOptions } from './server.ts';
