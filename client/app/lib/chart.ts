/**
 * The parts of Chart.js that the analytics trends use, registered once. Importing this module
 * loads Chart.js, so the dashboard imports it on demand and the main bundle stays without it.
 */
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

export { Chart };
