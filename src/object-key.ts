export interface ArtifactNames {
  resourceName: string;
  devStage: string;
  architecture: string;
  version: string;
}

/** The object key of the Python script, byte for byte: `{dev_stage}/{resource_name}-{architecture}-{version}.enc`. */
export function objectKeyFor(names: ArtifactNames): string {
  return `${names.devStage}/${names.resourceName}-${names.architecture}-${names.version}.enc`;
}
