#!powershell

# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils.DockerHost

# Reads, never changes, and returns raw values only: the action plugin builds the facts on the controller.
$spec = @{
    options = @{
        gather_subset = @{
            type = 'list'; elements = 'str'; default = @('all')
            choices = @('all', 'version', 'features', 'docker', 'containerd', 'images', 'containers')
        }
        daemon_json_path = @{ type = 'str' }
        docker_path = @{ type = 'str' }
        command_timeout = @{ type = 'int'; default = 60 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$subset = $module.Params.gather_subset
$timeout = $module.Params.command_timeout
$batchSize = 100  # IDs per docker call: 100 of about 72 characters stay far below the 32,767-character limit
function Test-Subset([string]$Name) { ($subset -contains 'all') -or ($subset -contains $Name) }

function Get-RegistryValue($Key, [string]$Name) {
    if ($Key -and $Key.PSObject.Properties[$Name]) { $Key.$Name } else { $null }
}

function Get-ServiceState([string]$Name) {
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($service) { $service.Status.ToString() } else { $null }
}

function Invoke-Docker([string[]]$Arguments) { Invoke-Native -Path $script:docker -Arguments $Arguments -TimeoutSeconds $timeout }

function Invoke-DockerBatch([string[]]$Command, [string[]]$Ids) {
    for ($start = 0; $start -lt $Ids.Count; $start += $batchSize) {
        $end = [Math]::Min($start + $batchSize, $Ids.Count) - 1
        Invoke-Docker ($Command + $Ids[$start..$end])
    }
}

function Get-Lines($Command) { @($Command.stdout -split "`r?`n" | Where-Object { $_ }) }

function Get-FeatureStates([string]$InstallationType) {
    # Server (Server, Server Core, Nano Server) has Get-WindowsFeature; a client with RSAT has it too but refuses to
    # run it. DISM cmdlets throw terminating COM errors (not elevated, unknown feature): caught, reported.
    $source = if ($InstallationType -and $InstallationType -ne 'Client') { 'Get-WindowsFeature' } else { 'Get-WindowsOptionalFeature' }
    $states = @{}; $featureError = $null
    try {
        if ($source -eq 'Get-WindowsFeature') {
            foreach ($feature in @(Get-WindowsFeature -Name 'Containers', 'Hyper-V' -ErrorAction Stop)) {
                $states[$feature.Name] = $feature.InstallState.ToString()
            }
        }
        else {
            foreach ($name in @('Containers', 'Microsoft-Hyper-V')) {
                $feature = Get-WindowsOptionalFeature -Online -FeatureName $name -ErrorAction Stop
                if ($feature) { $states[$name] = $feature.State.ToString() }
            }
        }
    }
    catch {
        $featureError = $_.Exception.Message
    }
    @{
        source = $source; error = $featureError
        Containers = $states['Containers']; 'Hyper-V' = $states['Hyper-V']; 'Microsoft-Hyper-V' = $states['Microsoft-Hyper-V']
    }
}

function Get-RebootSignals {
    # What Windows itself uses (and ansible.windows' setup reads) to say a restart is pending.
    $sessionManager = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue
    @{
        cbs_reboot_pending = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
        wu_reboot_required = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
        pending_file_rename_operations = [bool](Get-RegistryValue $sessionManager 'PendingFileRenameOperations')
    }
}

function Get-DockerState {
    $imagePath = Get-ServiceImagePath 'docker'
    $script:docker = Find-DockerCli $module.Params.docker_path $imagePath
    $files = @()
    if ($module.Params.daemon_json_path) { $files += Read-FileRecord $module.Params.daemon_json_path }
    else { $files += Read-FileRecord (Join-Path -Path $env:ProgramData -ChildPath 'docker\config\daemon.json') }
    $info = $null; $version = $null; $serverErrors = $null; $containers = $null; $images = $null; $running = $false
    if ($script:docker) {
        # Only the fields the controller reads (--format): ConvertFrom-Json of Windows PowerShell 5.1 refuses
        # objects whose keys differ only in case, as image and container labels may.
        $info = Invoke-Docker @('info', '--format', '{"ServerVersion":{{json .ServerVersion}},"OSType":{{json .OSType}},"Isolation":{{json .Isolation}},"KernelVersion":{{json .KernelVersion}},"OperatingSystem":{{json .OperatingSystem}},"DockerRootDir":{{json .DockerRootDir}},"Swarm":{"NodeID":{{json .Swarm.NodeID}},"LocalNodeState":{{json .Swarm.LocalNodeState}},"ControlAvailable":{{json .Swarm.ControlAvailable}}}}')
        $version = Invoke-Docker @('version', '--format', '{"Client":{"Version":{{json .Client.Version}}},"Server":{{if .Server}}{"Platform":{"Name":{{json .Server.Platform.Name}}}}{{else}}null{{end}}}')
        $parsed = if ($info.rc -eq 0 -and $info.stdout.Trim()) { $info.stdout | ConvertFrom-Json } else { $null }
        $running = [bool]($parsed -and $parsed.ServerVersion)
        if ($running -and $parsed.DockerRootDir -and -not $module.Params.daemon_json_path) {
            $files += Read-FileRecord (Join-Path -Path $parsed.DockerRootDir -ChildPath 'config\daemon.json')
        }
        if (-not $running) {
            # docker CLI before 28.1 exits 0 with the daemon's error in ServerErrors (CLI 20.10 and later).
            $serverErrors = Invoke-Docker @('info', '--format', '{{json .ServerErrors}}')
        }
    }
    if ($running) {
        $containerIds = @()
        if (Test-Subset 'containers') {
            $containerIds = Get-Lines (Invoke-Docker @('ps', '--quiet', '--no-trunc'))
            $containers = @(Invoke-DockerBatch @('container', 'inspect', '--format', '{"Id":{{json .Id}},"Name":{{json .Name}},"Image":{{json .Image}},"Config":{"Image":{{json .Config.Image}}},"HostConfig":{"Isolation":{{json .HostConfig.Isolation}}},"State":{"Running":{{json .State.Running}}}}') $containerIds)
        }
        if ((Test-Subset 'images') -or $containerIds) {
            $imageIds = Get-Lines (Invoke-Docker @('images', '--quiet', '--no-trunc'))
            foreach ($batch in @($containers)) {
                $imageIds += @(Get-Lines $batch | ForEach-Object { ($_ | ConvertFrom-Json).Image })
            }
            $imageIds = @($imageIds | Select-Object -Unique)
            # OsVersion is absent from Linux images: index gives null where a field reference fails the batch.
            $images = @(Invoke-DockerBatch @('image', 'inspect', '--format', '{"Id":{{json .Id}},"RepoTags":{{json .RepoTags}},"Os":{{json .Os}},"OsVersion":{{json (index . "OsVersion")}}}') $imageIds)
        }
    }
    @{
        cli = $script:docker; service = (Get-ServiceState 'docker'); service_image_path = $imagePath
        desktop_service = (Get-ServiceState 'com.docker.service'); program_data = $env:ProgramData
        daemon_json_path = $module.Params.daemon_json_path; daemon_json_files = $files
        info = $info; server_errors = $serverErrors; version = $version; containers = $containers; images = $images
    }
}

function Get-ContainerdState {
    $command = Get-Command -Name containerd.exe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $version = if ($command) { Invoke-Native -Path $command.Source -Arguments @('--version') -TimeoutSeconds $timeout } else { $null }
    @{ service = (Get-ServiceState 'containerd'); version = $version }
}

$key = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$registry = @{
    CurrentMajorVersionNumber = Get-RegistryValue $key 'CurrentMajorVersionNumber'
    CurrentMinorVersionNumber = Get-RegistryValue $key 'CurrentMinorVersionNumber'
    CurrentBuildNumber = Get-RegistryValue $key 'CurrentBuildNumber'
    UBR = Get-RegistryValue $key 'UBR'
    BuildLabEx = Get-RegistryValue $key 'BuildLabEx'
    DisplayVersion = Get-RegistryValue $key 'DisplayVersion'
    ReleaseId = Get-RegistryValue $key 'ReleaseId'
    ProductName = Get-RegistryValue $key 'ProductName'
    EditionID = Get-RegistryValue $key 'EditionID'
    InstallationType = Get-RegistryValue $key 'InstallationType'
}
$raw = @{
    gather_subset = $subset
    registry = $registry
    reboot = Get-RebootSignals
    features = if (Test-Subset 'features') { Get-FeatureStates $registry.InstallationType } else { $null }
    docker = if ((Test-Subset 'docker') -or (Test-Subset 'images') -or (Test-Subset 'containers')) { Get-DockerState } else { $null }
    containerd = if (Test-Subset 'containerd') { Get-ContainerdState } else { $null }
}
$module.Result.raw = $raw
$module.ExitJson()
