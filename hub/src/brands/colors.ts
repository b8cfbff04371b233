/** The brand colour rules live in the protocol package, so the dashboard's preview judges as the hub does. */
export {
  BACKGROUND_CONTRAST,
  BACKGROUNDS,
  contrast,
  contrastProblem,
  HEX_COLOUR,
  TEXT_CONTRAST,
  textOn,
} from '@deepsignal/protocol';
