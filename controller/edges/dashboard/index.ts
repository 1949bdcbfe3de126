export { dashboardRouter, type DashboardRouterOptions } from './dashboard-router.js';
