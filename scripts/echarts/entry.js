// The parts of Apache ECharts that pollagg's charts use (web/static/chart.js):
// lines (averages and their bands), dots (polls), a time axis on a grid, the
// tooltip, the legend, zoom (inside and slider), marked lines (events) and
// marked points (results), the save-as-image button, drawn on a canvas.
// build.sh bundles this into web/static/echarts/echarts.slim.min.js, which
// sets the global `echarts` as the full build does.
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  MarkPointComponent,
  ToolboxComponent
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  MarkPointComponent,
  ToolboxComponent,
  CanvasRenderer
]);

window.echarts = echarts;
