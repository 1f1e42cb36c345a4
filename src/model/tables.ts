/** The names of the tables, as in Caribou. One place, so writers and readers agree. */
export const TABLES = {
  availableRegions: 'available_regions_table',
  providerRegion: 'provider_region_table',
  carbonRegion: 'carbon_region_table',
  performanceRegion: 'performance_region_table',
  workflowSummary: 'workflow_summary_table',
  workflowInstance: 'workflow_instance_table',
  deploymentManagerResource: 'deployment_manager_resource_table',
  deploymentManagerWorkflowInfo: 'deployment_manager_workflow_info_table',
  deploymentResources: 'deployment_resources_table',
  workflowPlacementDecision: 'workflow_placement_decision_table',
  solverStagingArea: 'workflow_placement_solver_staging_area_table',
  /** per region: join (sync) state of runs */
  syncMessages: 'sync_messages_table',
} as const;
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** The region that holds the system tables (Caribou's GLOBAL_SYSTEM_REGION). */
export const SYSTEM_REGION = 'us-west-2';

/**
 * What each system table holds (key → record codec):
 * - deployment_manager_resource_table[workflow_id]: WorkflowConfig (src/model/workflow-config)
 * - workflow_placement_decision_table[workflow_id]: WorkflowPlacementDecision (src/model/placement)
 * - deployment_resources_table[workflow_id]: DeploymentResources (src/model/deployment-resources)
 * - workflow_placement_solver_staging_area_table[workflow_id]: StagedPlan (src/model/staging)
 * - workflow_instance_table[workflow_id]: WorkflowInstanceRecord (src/model/workflow-instance)
 * - available_regions_table / provider_region_table / carbon_region_table / performance_region_table[region]:
 *   src/model/region-data
 */
