/** The messaging platforms carewindow governs. */
export type Platform = 'whatsapp' | 'messenger'

export const PLATFORMS: readonly Platform[] = ['whatsapp', 'messenger']
