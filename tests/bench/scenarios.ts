// Every benchmark scenario, in the order `npm run bench` runs them. Adding one is one line.
import { argon2 } from './scenarios/argon2.ts';
import { audioOnly } from './scenarios/audioOnly.ts';
import { broadcast } from './scenarios/broadcast.ts';
import { broadcastLadder } from './scenarios/broadcastLadder.ts';
import { cluster } from './scenarios/cluster/index.ts';
import { failoverVideo } from './scenarios/cluster/video.ts';
import { glass } from './scenarios/glass.ts';
import { join } from './scenarios/join.ts';
import { joinBots } from './scenarios/joinBots.ts';
import { meeting } from './scenarios/meeting.ts';
import { pwa } from './scenarios/pwa.ts';
import { quality } from './scenarios/quality.ts';
import { qualityFlap } from './scenarios/qualityFlap.ts';
import { recording } from './scenarios/recording.ts';
import { sfuFanout } from './scenarios/sfuFanout.ts';
import { signaling } from './scenarios/signaling/index.ts';
import { switchScenario } from './scenarios/switch.ts';
import { switchBots } from './scenarios/switchBots.ts';
import { turn } from './scenarios/turn.ts';
import { walkieCapacity } from './scenarios/walkieCapacity.ts';
import { walkieFloor } from './scenarios/walkieFloor.ts';
import { walkieLatency } from './scenarios/walkieLatency.ts';
import { classReactions } from './scenarios/classReactions.ts';
import { boardStroke } from './scenarios/boardStroke.ts';
import { webrtcFanout } from './scenarios/webrtcFanout.ts';
import type { Scenario } from './types.ts';

export const SCENARIOS: readonly Scenario[] = [
  sfuFanout,
  webrtcFanout,
  meeting,
  audioOnly,
  signaling,
  broadcast,
  broadcastLadder,
  recording,
  turn,
  join,
  joinBots,
  switchScenario,
  switchBots,
  glass,
  quality,
  qualityFlap,
  pwa,
  cluster,
  failoverVideo,
  argon2,
  walkieFloor,
  walkieLatency,
  walkieCapacity,
  classReactions,
  boardStroke,
];
