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

/** The four names out of a larger record (a command's flags). */
export function namesOf(values: ArtifactNames): ArtifactNames {
  return { resourceName: values.resourceName, devStage: values.devStage, architecture: values.architecture, version: values.version };
}
